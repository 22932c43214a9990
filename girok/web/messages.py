"""Every word the web front end shows, in Korean (the default) and English, in one place.

``text(lang, key, **values)``: the message ``key`` in ``lang`` (``ko`` or ``en``), with ``{name}`` fields filled
in. A key missing from English falls back to Korean; a key missing from both is a bug a test catches
(tests/test_web_pages.py renders every page in both languages and looks for unfilled keys).
"""

from __future__ import annotations

LANGS = ("ko", "en")
DEFAULT = "ko"

KO = {
    "app.name": "기록 (girok)",
    "nav.status": "현황", "nav.search": "검색", "nav.retention": "보존/보류", "nav.review": "평가심의",
    "nav.quarantine": "격리", "nav.users": "사용자", "nav.logout": "로그아웃", "nav.lang": "English",
    "nav.user": "{name} ({role})",
    "role.clerk": "민원 담당", "role.officer": "기록물 담당", "role.committee": "평가심의회", "role.admin": "관리자",
    # log-in
    "login.title": "로그인", "login.name": "사용자 이름", "login.password": "비밀번호", "login.submit": "로그인",
    "login.bad": "사용자 이름 또는 비밀번호가 맞지 않습니다.",
    "login.locked": "로그인에 {n}회 실패하여 계정이 {minutes}분 동안 잠겼습니다. 잠시 후 다시 시도하거나 관리자에게 "
                    "문의하세요.",
    "login.expired": "세션이 만료되었습니다. 다시 로그인하세요.",
    "login.out": "로그아웃했습니다.",
    # errors
    "error.title": "오류", "error.403": "이 페이지나 작업에 대한 권한이 없습니다.",
    "error.404": "찾을 수 없습니다.", "error.csrf": "요청이 만료되었거나 올바르지 않습니다. 페이지를 새로 고친 뒤 "
                                                    "다시 시도하세요.",
    "error.500": "서버 오류가 발생했습니다. 관리자에게 문의하세요.", "error.back": "돌아가기",
    # search
    "search.title": "검색", "search.query": "검색어", "search.submit": "검색",
    "search.help": "조사가 붙어도 찾습니다 (신고서 → 신고서를). \"구절\", OR, -제외어, type:위임장, "
                   "date:2024-01..2024-06 을 쓸 수 있습니다.",
    "search.type": "문서 종류", "search.office": "기관", "search.date": "날짜 범위", "search.retention": "보존기간",
    "search.sort": "정렬", "sort.relevance": "관련도", "sort.newest": "최신순", "sort.oldest": "오래된순",
    "search.date_help": "예: 2024, 2024-03, 2024-01-01..2024-06-30",
    "search.results": "{total}건 중 {first}–{last}", "search.none": "찾은 문서가 없습니다.",
    "search.prev": "이전", "search.next": "다음", "search.page": "{page} / {pages} 쪽",
    "search.rrn_found": "검색어에 주민등록번호({masked})가 있습니다. 주민등록번호는 검색 색인에 없으므로 "
                        "정확 조회로만 찾을 수 있습니다. 조회는 감사 기록에 남습니다.",
    "search.rrn_submit": "주민등록번호로 정확 조회", "search.rrn_title": "주민등록번호 정확 조회",
    "search.rrn_result": "{masked}: 문서 {n}건 (이 조회는 감사 기록에 남았습니다)",
    "search.rrn_in_url": "주민등록번호는 주소(URL)에 넣을 수 없습니다. 검색창에 입력하세요.",
    "search.rrn_gone": "조회할 주민등록번호가 없습니다. 검색창에 다시 입력하세요.",
    "col.id": "등록번호", "col.title": "제목", "col.type": "종류", "col.date": "문서 날짜",
    "col.receipt": "접수번호", "col.office": "기관", "col.retention": "보존기간", "col.snippet": "내용",
    "col.captured": "등록 시각", "col.pages": "쪽수", "col.applicant": "신청인", "col.when": "시각",
    "col.actor": "사용자", "col.action": "작업", "col.detail": "내용", "col.folder": "스캔 폴더",
    "col.profile": "스캐너 프로필", "col.waiting": "대기", "col.today_docs": "오늘 보관 문서",
    "col.today_pages": "오늘 보관 쪽", "col.file": "파일", "col.stage": "단계", "col.reason": "사유",
    "col.advice": "조치", "col.hold": "보류 번호", "col.placed": "보류 일시", "col.by": "보류한 사람",
    "col.documents": "문서", "col.class": "보존기간", "col.count": "건수", "col.number": "폐기 번호",
    "col.certificate": "폐기 확인서", "col.name": "이름", "col.role": "역할", "col.state": "상태",
    "col.last_login": "최근 로그인", "col.due": "폐기 예정일", "col.completed": "종결일", "col.rescan_pages": "다시 스캔할 쪽",
    # document
    "doc.title": "문서 {id}", "doc.meta": "기본 정보", "doc.pages": "쪽 이미지", "doc.page": "{n}쪽",
    "doc.text": "OCR 텍스트 (주민등록번호 가림)", "doc.related": "같은 접수번호의 다른 문서",
    "doc.history": "감사 기록", "doc.download": "PDF 내려받기", "doc.print": "인쇄용 PDF 열기",
    "doc.export": "BagIt 꾸러미로 내보내기", "doc.export_note": "원본·보존본·메타데이터·검증값을 담은 zip (감사 기록에 남습니다)",
    "doc.no_related": "없음", "doc.rescan": "다시 스캔 권장", "doc.confidence": "쪽별 OCR 신뢰도",
    "doc.pdfa": "보존 형식", "doc.source": "원본 파일", "doc.sha_original": "원본 SHA-256",
    "doc.sha_archival": "보존본 SHA-256", "doc.rrn": "주민등록번호 (가림)",
    "doc.unread": "읽지 못한 항목 (종이 서류를 보고 채우세요)", "doc.disposed": "폐기된 문서입니다",
    "doc.certificate": "폐기 확인서 번호", "doc.yes": "예", "doc.no": "아니요",
    # status
    "status.title": "현황", "status.summary": "문서 {documents}건, {pages}쪽; 색인 대기 {unindexed}건",
    "status.queue": "대기 {waiting}건, 처리 중 {in_progress}건, 격리 {quarantined}건",
    "status.watcher_on": "스캔 폴더 감시: 실행 중", "status.watcher_off": "스캔 폴더 감시: 실행 중이 아님",
    "status.folders": "스캔 폴더별", "status.rescan": "다시 스캔할 문서 ({n}건)", "status.no_rescan": "없음",
    "status.quarantine": "격리된 파일 ({n}건)", "status.no_quarantine": "없음",
    "status.chart_pages": "스캔 폴더별 하루 보관 쪽수 (최근 {days}일)",
    "status.chart_conf": "스캐너 프로필별 평균 OCR 신뢰도 (최근 {days}일)",
    "status.refresh": "이 페이지는 {s}초마다 새로 고쳐집니다.", "status.updated": "{when} 기준",
    # retention
    "ret.title": "보존/보류", "ret.due": "폐기 대상 (오늘 기준)", "ret.due_none": "폐기 대상이 없습니다.",
    "ret.holds": "보류 중", "ret.holds_none": "보류가 없습니다.", "ret.place": "보류 걸기",
    "ret.ids": "등록번호 (쉼표로 구분)", "ret.reason": "사유", "ret.place_submit": "보류",
    "ret.placed": "보류 {id}번을 문서 {n}건에 걸었습니다.", "ret.release": "보류 해제",
    "ret.released": "보류 {id}번을 해제했습니다.", "ret.disposals": "지난 폐기", "ret.disposals_none": "없음",
    "ret.held_docs": "보류된 문서", "ret.ids_required": "보류할 문서의 등록번호를 입력하세요.",
    # review
    "rev.title": "기록물 평가심의", "rev.as_of": "{date} 기준", "rev.due": "폐기 대상 {n}건",
    "rev.held": "보류로 제외 {n}건", "rev.approved": "폐기 승인되어 집행 대기 {n}건",
    "rev.howto": "검토 파일을 내려받아 심의회가 'decision' 열을 채운 뒤(폐기/dispose, 재책정/reset + new_class, 보류/defer + defer_until), 회의 이름·날짜와 함께 올리면 결정이 기록됩니다. 파일이 검토와 맞지 않으면 아무것도 기록하지 않습니다.",
    "rev.committee": "심의 결정 기록", "rev.download": "검토 파일 내려받기 (CSV, Excel)",
    "rev.meeting": "심의회", "rev.meeting_date": "회의 날짜", "rev.file": "결정을 채운 검토 파일",
    "rev.record": "결정 기록", "rev.need_file": "결정을 채운 검토 파일(.csv 또는 .json)을 골라 주십시오.",
    "rev.too_big": "검토 파일이 너무 큽니다 ({mb} MB 초과).",
    "rev.decided": "검토 {review}: {meeting}의 결정을 기록했습니다",
    "rev.decided_counts": "폐기 {dispose}건, 재책정 {reset}건, 보류 {defer}건, 미결정 {undecided}건, 이미 기록됨 {already}건",
    "rev.col_decision": "결정", "rev.col_status": "처리",
    # quarantine
    "q.title": "격리된 파일", "q.none": "격리된 파일이 없습니다.", "q.retry": "다시 처리", "q.dismiss": "삭제(제외)",
    "q.reason": "사유", "q.retried": "{name}: {status}", "q.dismissed": "{name}: 삭제했습니다.",
    "q.status.archived": "보관됨", "q.status.duplicate": "이미 보관된 파일", "q.status.quarantined": "다시 격리됨",
    # users
    "users.title": "사용자", "users.add": "사용자 추가", "users.added": "{name} 사용자를 추가했습니다.",
    "users.disable": "사용 중지", "users.enable": "다시 사용", "users.passwd": "비밀번호 바꾸기",
    "users.changed": "{name}: 바뀌었습니다.", "users.active": "사용 중", "users.disabled": "사용 중지됨",
    "users.locked": "{until}까지 잠김", "users.role_change": "역할 바꾸기",
    "users.password_help": "비밀번호는 10자 이상",
    "form.reason_required": "사유를 입력하세요.",
}

EN = {
    "app.name": "girok (기록)",
    "nav.status": "Status", "nav.search": "Search", "nav.retention": "Retention/holds", "nav.review": "Review",
    "nav.quarantine": "Quarantine", "nav.users": "Users", "nav.logout": "Log out", "nav.lang": "한국어",
    "nav.user": "{name} ({role})",
    "role.clerk": "clerk", "role.officer": "records officer", "role.committee": "committee", "role.admin": "admin",
    "login.title": "Log in", "login.name": "User name", "login.password": "Password", "login.submit": "Log in",
    "login.bad": "Wrong user name or password.",
    "login.locked": "{n} failed log-ins: the account is locked for {minutes} minutes. Try again later or ask an "
                    "administrator.",
    "login.expired": "Your session expired. Please log in again.", "login.out": "You are logged out.",
    "error.title": "Error", "error.403": "You may not use this page or action.", "error.404": "Not found.",
    "error.csrf": "The request expired or is not valid. Reload the page and try again.",
    "error.500": "Server error. Please tell an administrator.", "error.back": "Back",
    "search.title": "Search", "search.query": "Query", "search.submit": "Search",
    "search.help": "Words with particles are found too (신고서 finds 신고서를). \"phrases\", OR, -exclude, "
                   "type:위임장, date:2024-01..2024-06.",
    "search.type": "Document type", "search.office": "Office", "search.date": "Date range",
    "search.retention": "Retention", "search.sort": "Order", "sort.relevance": "relevance", "sort.newest": "newest",
    "sort.oldest": "oldest", "search.date_help": "e.g. 2024, 2024-03, 2024-01-01..2024-06-30",
    "search.results": "{first}–{last} of {total}", "search.none": "No documents found.",
    "search.prev": "Previous", "search.next": "Next", "search.page": "page {page} of {pages}",
    "search.rrn_found": "The query holds a resident registration number ({masked}). Those are never in the search "
                        "index: only the exact look-up finds them, and it is recorded in the audit trail.",
    "search.rrn_submit": "Exact look-up by RRN", "search.rrn_title": "Exact look-up by RRN",
    "search.rrn_result": "{masked}: {n} document(s) (this look-up is in the audit trail)",
    "search.rrn_in_url": "A resident registration number cannot be put in an address (URL). Type it in the box.",
    "search.rrn_gone": "No number to look up. Type it in the search box again.",
    "col.id": "Registration no.", "col.title": "Title", "col.type": "Type", "col.date": "Date",
    "col.receipt": "Receipt no.", "col.office": "Office", "col.retention": "Retention", "col.snippet": "Text",
    "col.captured": "Archived", "col.pages": "Pages", "col.applicant": "Applicant", "col.when": "When",
    "col.actor": "User", "col.action": "Action", "col.detail": "Detail", "col.folder": "Hot folder",
    "col.profile": "Scanner profile", "col.waiting": "Waiting", "col.today_docs": "Documents today",
    "col.today_pages": "Pages today", "col.file": "File", "col.stage": "Step", "col.reason": "Reason",
    "col.advice": "What to do", "col.hold": "Hold", "col.placed": "Placed", "col.by": "By",
    "col.documents": "Documents", "col.class": "Class", "col.count": "Count", "col.number": "Disposal",
    "col.certificate": "Certificate", "col.name": "Name", "col.role": "Role", "col.state": "State",
    "col.last_login": "Last log-in", "col.due": "Due", "col.completed": "Completed",
    "col.rescan_pages": "Pages to re-scan",
    "doc.title": "Document {id}", "doc.meta": "Metadata", "doc.pages": "Pages", "doc.page": "page {n}",
    "doc.text": "OCR text (RRNs masked)", "doc.related": "Other documents with this receipt number",
    "doc.history": "Audit history", "doc.download": "Download PDF", "doc.print": "Open PDF to print",
    "doc.export": "Export as a BagIt bag", "doc.export_note": "a zip with the original, the archival copy, metadata and checksums (audited)",
    "doc.no_related": "none", "doc.rescan": "re-scan suggested", "doc.confidence": "OCR confidence per page",
    "doc.pdfa": "Preservation format", "doc.source": "Original file", "doc.sha_original": "Original SHA-256",
    "doc.sha_archival": "Archival SHA-256", "doc.rrn": "RRN (masked)",
    "doc.unread": "Not read (fill in from the paper)", "doc.disposed": "This document was disposed of",
    "doc.certificate": "Disposal certificate", "doc.yes": "yes", "doc.no": "no",
    "status.title": "Status", "status.summary": "{documents} documents, {pages} pages; {unindexed} waiting for the index",
    "status.queue": "{waiting} waiting, {in_progress} in progress, {quarantined} quarantined",
    "status.watcher_on": "Hot-folder watcher: running", "status.watcher_off": "Hot-folder watcher: not running",
    "status.folders": "Hot folders", "status.rescan": "Documents to re-scan ({n})", "status.no_rescan": "none",
    "status.quarantine": "Quarantined files ({n})", "status.no_quarantine": "none",
    "status.chart_pages": "Pages archived per day per hot folder (last {days} days)",
    "status.chart_conf": "Mean OCR confidence per scanner profile (last {days} days)",
    "status.refresh": "This page refreshes every {s} seconds.", "status.updated": "as of {when}",
    "ret.title": "Retention and holds", "ret.due": "Due for disposal (today)", "ret.due_none": "Nothing is due.",
    "ret.holds": "Active holds", "ret.holds_none": "No holds.", "ret.place": "Place a hold",
    "ret.ids": "Registration numbers (comma-separated)", "ret.reason": "Reason", "ret.place_submit": "Hold",
    "ret.placed": "Hold {id} placed on {n} document(s).", "ret.release": "Release",
    "ret.released": "Hold {id} released.", "ret.disposals": "Past disposals", "ret.disposals_none": "none",
    "ret.held_docs": "Held documents", "ret.ids_required": "Give the registration numbers of the documents to hold.",
    "rev.title": "Records evaluation review", "rev.as_of": "as of {date}", "rev.due": "{n} due",
    "rev.held": "{n} held apart", "rev.approved": "{n} approved, awaiting disposal",
    "rev.howto": "Download the review file; the committee fills in the 'decision' column (dispose, reset + new_class, defer + defer_until); upload it with the meeting's name and date and the decisions are recorded. A file that does not match its review records nothing.",
    "rev.committee": "Record the committee's decisions", "rev.download": "Download the review file (CSV, Excel)",
    "rev.meeting": "Committee meeting", "rev.meeting_date": "Meeting date", "rev.file": "Review file with decisions",
    "rev.record": "Record decisions", "rev.need_file": "Choose the review file with the decisions (.csv or .json).",
    "rev.too_big": "The review file is too large (over {mb} MB).",
    "rev.decided": "Review {review}: decisions of {meeting} recorded",
    "rev.decided_counts": "{dispose} to dispose of, {reset} re-set, {defer} deferred, {undecided} undecided, {already} recorded before",
    "rev.col_decision": "Decision", "rev.col_status": "Status",
    "q.title": "Quarantined files", "q.none": "Nothing is quarantined.", "q.retry": "Retry", "q.dismiss": "Dismiss",
    "q.reason": "Reason", "q.retried": "{name}: {status}", "q.dismissed": "{name}: dismissed.",
    "q.status.archived": "archived", "q.status.duplicate": "already archived", "q.status.quarantined": "quarantined again",
    "users.title": "Users", "users.add": "Add a user", "users.added": "User {name} added.",
    "users.disable": "Disable", "users.enable": "Enable", "users.passwd": "Set password",
    "users.changed": "{name}: changed.", "users.active": "active", "users.disabled": "disabled",
    "users.locked": "locked until {until}", "users.role_change": "Change role",
    "users.password_help": "at least 10 characters",
    "form.reason_required": "Give a reason.",
}

MESSAGES = {"ko": KO, "en": EN}


def text(lang: str, key: str, **values) -> str:
    table = MESSAGES.get(lang, KO)
    msg = table.get(key, KO.get(key))
    if msg is None:
        return f"??{key}??"
    return msg.format(**values) if values else msg


def lang_of(value: str | None) -> str:
    return value if value in LANGS else DEFAULT
