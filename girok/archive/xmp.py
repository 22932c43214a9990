"""A record's metadata in its archival PDF's XMP, so the file describes itself without the catalog.

``write_xmp(path, record)`` sets ``dc:title``, ``dc:date`` and the girok
namespace (``girok:docType``, ``receiptNo``, ``office``, ``applicant``,
``rrnMasked``, ``sourceName``, ``sourcePages``, ``profile``) with pikepdf's
``open_metadata()``, which keeps ``pdfaid:part``/``conformance`` and keeps
the document information dictionary in step. PDF/A allows properties
outside the predefined schemas only when the file declares them, so the
girok schema is also written as a PDF/A extension schema
(``pdfaExtension:schemas``, one ``pdfaSchema:property`` entry per property
with its ``valueType`` and ``category``); ``schema_problems`` checks that
declaration against the properties used, the way a PDF/A validator would.

Only masked RRNs go in (``YYMMDD-G******``): the caller passes values
that are already masked, and ``write_xmp`` refuses a clear one.
``read_xmp`` gives the values back (for ``show``-style checks and tests).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from lxml import etree
from pikepdf.models.metadata import PdfMetadata

from ..text import pii

NS = "https://girok.example/ns/1.0/"
PREFIX = "girok"
SCHEMA_NAME = "girok archive record"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EXT = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROP = "http://www.aiim.org/pdfa/ns/property#"
_NSMAP = {"rdf": RDF, "pdfaExtension": EXT, "pdfaSchema": SCHEMA, "pdfaProperty": PROP, PREFIX: NS}

# name, XMP value type, category, description
PROPERTIES = (
    ("docType", "Text", "external", "Document type: the form's title out of the archive's list of types"),
    ("receiptNo", "Text", "external", "Receipt number (접수번호) printed on the form"),
    ("office", "Text", "external", "Office the form is addressed to (…청장 귀하)"),
    ("applicant", "Text", "external", "Applicant's name (성명)"),
    ("rrnMasked", "seq Text", "external", "Resident registration numbers on the form, masked as YYMMDD-G******"),
    ("sourceName", "Text", "internal", "File name of the scan this record was made from"),
    ("sourcePages", "Text", "internal", "Pages of the source file in this record, 1-based, comma separated"),
    ("profile", "Text", "internal", "Scanner profile the scan came in through"),
)

PdfMetadata.register_xml_namespace(NS, PREFIX)


@dataclass
class XmpRecord:
    """What goes into the XMP. Empty values are left out; every string must already be RRN-masked."""

    title: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd (the filing date)
    doc_type: str | None = None
    receipt_no: str | None = None
    office: str | None = None
    applicant: str | None = None
    rrn_masked: list[str] = field(default_factory=list)
    source_name: str | None = None
    source_pages: list[int] = field(default_factory=list)
    profile: str | None = None

    def girok_values(self) -> dict[str, str | list[str]]:
        values = {"docType": self.doc_type, "receiptNo": self.receipt_no, "office": self.office,
                  "applicant": self.applicant, "rrnMasked": list(self.rrn_masked),
                  "sourceName": self.source_name, "sourcePages": ",".join(map(str, self.source_pages)),
                  "profile": self.profile}
        return {k: v for k, v in values.items() if v}


class ClearRrnError(ValueError):
    """A value meant for the XMP holds a clear resident registration number."""


def _refuse_clear_rrn(record: XmpRecord) -> None:
    for value in [record.title, record.date, *record.girok_values().values()]:
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and pii.mask_rrn(v) != v:
                raise ClearRrnError("a clear RRN was about to be written into the XMP; mask it first")


def write_xmp(path: Path, record: XmpRecord) -> None:
    """Write ``record`` into the PDF at ``path`` (replaced atomically; PDF/A identification kept)."""
    _refuse_clear_rrn(record)
    tmp = path.with_name(path.name + ".xmp.tmp")
    try:
        with pikepdf.open(path) as pdf:
            with pdf.open_metadata() as meta:
                if record.title:
                    meta["dc:title"] = record.title
                if record.date:
                    meta["dc:date"] = [record.date]
                for name, value in record.girok_values().items():
                    meta[f"{PREFIX}:{name}"] = value
            _declare_schema(pdf)
            pdf.save(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _declare_schema(pdf: pikepdf.Pdf) -> None:
    """Add (or replace) the girok entry of the packet's PDF/A extension schemas."""
    root = etree.fromstring(pdf.Root.Metadata.read_bytes())
    rdf = root if root.tag == f"{{{RDF}}}RDF" else root.find(f"{{{RDF}}}RDF")
    bag = rdf.find(f"{{{RDF}}}Description/{{{EXT}}}schemas/{{{RDF}}}Bag")
    if bag is None:
        desc = etree.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""},
                                nsmap={k: _NSMAP[k] for k in ("pdfaExtension", "pdfaSchema", "pdfaProperty")})
        bag = etree.SubElement(etree.SubElement(desc, f"{{{EXT}}}schemas"), f"{{{RDF}}}Bag")
    for li in bag.findall(f"{{{RDF}}}li"):
        if li.findtext(f"{{{SCHEMA}}}namespaceURI") == NS:
            bag.remove(li)
    li = etree.SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    for tag, text in (("schema", SCHEMA_NAME), ("namespaceURI", NS), ("prefix", PREFIX)):
        etree.SubElement(li, f"{{{SCHEMA}}}{tag}").text = text
    seq = etree.SubElement(etree.SubElement(li, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
    for name, value_type, category, description in PROPERTIES:
        prop = etree.SubElement(seq, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
        for tag, text in (("name", name), ("valueType", value_type), ("category", category),
                          ("description", description)):
            etree.SubElement(prop, f"{{{PROP}}}{tag}").text = text
    packet = etree.tostring(root, encoding="utf-8")
    head = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'.encode()
    stream = pikepdf.Stream(pdf, head + packet + b'\n<?xpacket end="w"?>')
    stream[pikepdf.Name.Type] = pikepdf.Name.Metadata
    stream[pikepdf.Name.Subtype] = pikepdf.Name.XML
    pdf.Root.Metadata = stream


def read_xmp(path: Path) -> dict:
    """The record's values as written: title, date, and the girok properties by their XMP names."""
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        dates = meta.get("dc:date")
        out = {"title": meta.get("dc:title"), "date": dates[0] if dates else None,
               "pdfaid:part": meta.get("pdfaid:part"), "pdfaid:conformance": meta.get("pdfaid:conformance")}
        for name, value_type, _, _ in PROPERTIES:
            value = meta.get(f"{PREFIX}:{name}")
            out[name] = list(value) if value_type.startswith("seq") and value else value
        return out


def schema_problems(packet: bytes) -> list[str]:
    """What a PDF/A validator would object to in the girok part of an XMP packet (empty list: none).

    Every girok property used must be declared in exactly one extension
    schema entry for the girok namespace, with the prefix ``girok``, a
    ``valueType`` and a ``category`` of ``internal`` or ``external``.
    """
    root = etree.fromstring(packet)
    problems = []
    entries = [li for li in root.iter(f"{{{RDF}}}li") if li.findtext(f"{{{SCHEMA}}}namespaceURI") == NS]
    if len(entries) != 1:
        return [f"{len(entries)} extension schema entries for {NS}, expected 1"]
    if entries[0].findtext(f"{{{SCHEMA}}}prefix") != PREFIX:
        problems.append(f"the extension schema's prefix is not {PREFIX}")
    declared = {}
    for prop in entries[0].iter(f"{{{RDF}}}li"):
        name = prop.findtext(f"{{{PROP}}}name")
        if name is None:
            continue
        declared[name] = prop
        if not prop.findtext(f"{{{PROP}}}valueType"):
            problems.append(f"{name}: no valueType")
        if prop.findtext(f"{{{PROP}}}category") not in ("internal", "external"):
            problems.append(f"{name}: category must be internal or external")
        if not prop.findtext(f"{{{PROP}}}description"):
            problems.append(f"{name}: no description")
    used = {etree.QName(el).localname for el in root.iter() if isinstance(el.tag, str) and
            etree.QName(el).namespace == NS}
    used |= {etree.QName(a).localname for el in root.iter() if isinstance(el.tag, str)
             for a in el.attrib if etree.QName(a).namespace == NS}
    problems += [f"{name}: used but not declared in the extension schema" for name in sorted(used - set(declared))]
    return problems
