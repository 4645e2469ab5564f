"""One module per output format; each exposes ``render(findings, meta: ReportMeta, *, color: bool) -> str``."""
