"""Classic AFAS tokens: ``<token><version>1</version><data>…64 hex…</data></token>``.

Profit generates the token XML; the request header is ``Authorization: AfasToken
base64(utf8(token xml))`` (afas-api.md, "Classic token"). A config variable or file may hold the XML
or its base64 form (optionally with the ``AfasToken`` prefix, as copied from a request). The shape
is validated with a strict regular expression (never an XML parser) and the token is re-serialised
in Profit's own compact form, so a pretty-printed or re-wrapped copy sends the same header.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from afasgov.secrets import Secret

TOKEN_XML_RE = re.compile(
    r"^\s*<token>\s*<version>\s*(?P<version>[0-9]{1,4})\s*</version>\s*"
    r"<data>\s*(?P<data>[0-9A-Fa-f]{64})\s*</data>\s*</token>\s*$"
)
_B64_RE = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")
_PREFIX_RE = re.compile(r"^\s*AfasToken\s+", re.IGNORECASE)


class ClassicTokenError(ValueError):
    """The text is not a classic token. The message never contains the text itself."""


@dataclass(frozen=True, eq=False)
class ClassicToken:
    """A validated classic token. ``repr``/``str`` are redacted (the value is a :class:`Secret`)."""

    xml: Secret
    version: int

    def __repr__(self) -> str:
        return f"ClassicToken(version={self.version}, xml={self.xml!r})"

    @classmethod
    def from_parts(cls, version: int, data: str, *, name: str = "classic token") -> ClassicToken:
        if not re.fullmatch(r"[0-9A-Fa-f]{64}", data):
            raise ClassicTokenError("token data must be 64 hexadecimal characters")
        return cls(
            xml=Secret(f"<token><version>{version}</version><data>{data}</data></token>", name=name),
            version=version,
        )

    @classmethod
    def parse(cls, text: str | Secret, *, name: str = "classic token") -> ClassicToken:
        """Accept the token XML, its base64 form, or ``AfasToken <base64>``; validate the shape."""
        raw = text.reveal() if isinstance(text, Secret) else text
        if not isinstance(raw, str):
            raise ClassicTokenError("token must be text")
        candidate = raw.strip().lstrip("\ufeff")
        if not candidate:
            raise ClassicTokenError("token is empty")
        if candidate.startswith("<"):
            return cls._from_xml(candidate, name=name, origin="token XML")
        candidate = _PREFIX_RE.sub("", candidate)
        compact = "".join(candidate.split())
        if not _B64_RE.match(compact):
            raise ClassicTokenError("is neither the token XML (<token><version>…) nor its base64 form")
        padded = compact + "=" * (-len(compact) % 4)
        try:
            decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise ClassicTokenError("is not valid base64 (and not token XML)") from None
        try:
            xml = decoded.decode("utf-8")
        except UnicodeDecodeError:
            raise ClassicTokenError("base64 does not decode to UTF-8 token XML") from None
        if not xml.lstrip("\ufeff").lstrip().startswith("<token>"):
            raise ClassicTokenError("base64 does not decode to token XML (<token><version>…)")
        return cls._from_xml(xml.lstrip("\ufeff"), name=name, origin="base64 token XML")

    @classmethod
    def _from_xml(cls, xml: str, *, name: str, origin: str) -> ClassicToken:
        match = TOKEN_XML_RE.match(xml)
        if match is None:
            if "<data>" in xml and "</data>" in xml:
                raise ClassicTokenError(
                    f"{origin} does not have the expected shape: <data> must hold exactly "
                    "64 hexadecimal characters"
                )
            raise ClassicTokenError(
                f"{origin} does not have the expected shape "
                "<token><version>N</version><data>64 hex</data></token>"
            )
        return cls.from_parts(int(match.group("version")), match.group("data"), name=name)

    def encoded(self) -> Secret:
        """``base64(utf8(token xml))``."""
        return Secret(base64.b64encode(self.xml.reveal().encode("utf-8")).decode("ascii"), name=self.xml.name)

    def header_value(self) -> Secret:
        """The ``Authorization`` header value: ``AfasToken <base64>``."""
        return Secret("AfasToken " + self.encoded().reveal(), name=self.xml.name)


def encode_token_xml(xml: str) -> str:
    """base64 of the UTF-8 token XML (helper for tests and for the simulator's expectations)."""
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")
