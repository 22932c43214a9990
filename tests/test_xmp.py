"""girok.archive.xmp: the record's metadata in the archival PDF's XMP, declared as a PDF/A extension schema."""

from __future__ import annotations

import pikepdf
import pytest
from lxml import etree

from girok.archive import pdfa
from girok.archive.xmp import (
    NS,
    PROPERTIES,
    ClearRrnError,
    XmpRecord,
    read_xmp,
    schema_problems,
    write_xmp,
)

RECORD = XmpRecord(title="전입신고서", date="2024-03-05", doc_type="전입신고서", receipt_no="2024-서초-00123",
                   office="서초구", applicant="홍길동", rrn_masked=["870501-1******"], source_name="scan 7.tif",
                   source_pages=[3, 4], profile="counter")


def small_pdfa(path, *, other_schema: bool = False):
    """A one-page PDF claiming PDF/A-2B with an output intent, as OCRmyPDF leaves it."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 300))
    intent = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
                                                  OutputConditionIdentifier="sRGB"))
    pdf.Root.OutputIntents = pikepdf.Array([intent])
    with pdf.open_metadata() as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
    if other_schema:
        packet = pdf.Root.Metadata.read_bytes().replace(b"</rdf:RDF>", OTHER_SCHEMA + b"</rdf:RDF>")
        pdf.Root.Metadata = pikepdf.Stream(pdf, packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    pdf.save(path)
    return path


OTHER_SCHEMA = (
    b'<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    b'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"><pdfaExtension:schemas><rdf:Bag>'
    b'<rdf:li rdf:parseType="Resource"><pdfaSchema:schema>other</pdfaSchema:schema>'
    b'<pdfaSchema:namespaceURI>http://example.org/other/</pdfaSchema:namespaceURI>'
    b'<pdfaSchema:prefix>other</pdfaSchema:prefix></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>')


def packet(path) -> bytes:
    with pikepdf.open(path) as pdf:
        return pdf.Root.Metadata.read_bytes()


def test_values_read_back_and_pdfa_identification_survives(tmp_path):
    path = small_pdfa(tmp_path / "a.pdf")
    write_xmp(path, RECORD)
    got = read_xmp(path)
    assert (got["title"], got["date"]) == ("전입신고서", "2024-03-05")
    assert got["docType"] == "전입신고서" and got["receiptNo"] == "2024-서초-00123"
    assert (got["office"], got["applicant"], got["rrnMasked"]) == ("서초구", "홍길동", ["870501-1******"])
    assert (got["sourceName"], got["sourcePages"], got["profile"]) == ("scan 7.tif", "3,4", "counter")
    info = pdfa.inspect(path)
    assert info.ok and info.level == "2B" and info.pages == 1
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo["/Title"]) == "전입신고서"  # the info dictionary agrees with dc:title
        assert "/Filter" not in pdf.Root.Metadata  # PDF/A: the metadata stream stays uncompressed
    assert not list(tmp_path.glob("*.tmp"))


def test_extension_schema_declares_every_girok_property(tmp_path):
    path = small_pdfa(tmp_path / "a.pdf")
    write_xmp(path, RECORD)
    xml = packet(path)
    assert schema_problems(xml) == []
    root = etree.fromstring(xml)
    names = [el.text for el in root.iter("{http://www.aiim.org/pdfa/ns/property#}name")]
    assert names == [p[0] for p in PROPERTIES]
    assert xml.startswith(b"<?xpacket begin=") and xml.rstrip().endswith(b"<?xpacket end=\"w\"?>")


def test_writing_again_replaces_values_and_keeps_one_schema_entry(tmp_path):
    path = small_pdfa(tmp_path / "a.pdf")
    write_xmp(path, RECORD)
    write_xmp(path, XmpRecord(title="위임장", doc_type="위임장", source_pages=[1]))
    got = read_xmp(path)
    assert (got["title"], got["docType"], got["sourcePages"]) == ("위임장", "위임장", "1")
    assert got["applicant"] == "홍길동"  # a field not given is left as it was
    assert schema_problems(packet(path)) == []


def test_other_extension_schemas_are_kept(tmp_path):
    path = small_pdfa(tmp_path / "a.pdf", other_schema=True)
    write_xmp(path, RECORD)
    root = etree.fromstring(packet(path))
    uris = [el.text for el in root.iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI")]
    assert sorted(uris) == sorted(["http://example.org/other/", NS])
    assert len(root.findall(".//{http://www.aiim.org/pdfa/ns/extension/}schemas")) == 1
    assert schema_problems(packet(path)) == []


def test_empty_fields_are_left_out(tmp_path):
    path = small_pdfa(tmp_path / "a.pdf")
    write_xmp(path, XmpRecord(title="스캔 문서", source_name="x.pdf", source_pages=[1], profile="default"))
    got = read_xmp(path)
    assert got["date"] is None and got["docType"] is None and got["rrnMasked"] is None
    assert b"girok:applicant" not in packet(path) and b"dc:date" not in packet(path)


@pytest.mark.parametrize("field,value", [("applicant", "870501-1234567"), ("rrn_masked", ["870501 - 1234567"]),
                                         ("source_name", "홍길동_870501-1234567.tif")])
def test_a_clear_rrn_is_refused_and_the_file_left_alone(tmp_path, field, value):
    path = small_pdfa(tmp_path / "a.pdf")
    before = path.read_bytes()
    record = XmpRecord(**{**RECORD.__dict__, field: value})
    with pytest.raises(ClearRrnError):
        write_xmp(path, record)
    assert path.read_bytes() == before


def test_schema_problems_finds_undeclared_and_incomplete_properties(tmp_path):
    path = small_pdfa(tmp_path / "a.pdf")
    write_xmp(path, RECORD)
    xml = packet(path)
    undeclared = xml.replace(b"<girok:profile", f'<girok:extra xmlns:girok="{NS}">1</girok:extra><girok:profile'.encode(), 1)
    assert schema_problems(undeclared) == ["extra: used but not declared in the extension schema"]
    no_type = xml.replace(b"<pdfaProperty:valueType>Text</pdfaProperty:valueType>", b"", 1)
    assert schema_problems(no_type) == ["docType: no valueType"]
    bad_category = xml.replace(b"<pdfaProperty:category>internal<", b"<pdfaProperty:category>public<", 1)
    assert schema_problems(bad_category) == ["sourceName: category must be internal or external"]
    assert "0 extension schema entries" in schema_problems(packet(small_pdfa(tmp_path / "b.pdf")))[0]


def test_a_file_that_is_no_pdf_raises_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(pikepdf.PdfError):
        write_xmp(path, RECORD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]
