"""One module per output format; each exposes ``render(doc: ReportDocument, *, color: bool) -> str``."""
