"""The one error type of the .gcn codec."""

from __future__ import annotations

from afasgov.errors import InputError

MANGLED_HINT = (
    "the file contains UTF-8 replacement bytes EF BF BD: it was converted as text (e.g. by git "
    "line-ending or encoding conversion) and is damaged; restore the original export and add "
    "'*.gcn binary' to .gitattributes"
)


class GcnError(InputError):
    """A ``.gcn`` file (or its readable YAML definition) is malformed or cannot be written.

    ``str(error)`` is one line: the source, what is wrong and where (layer and offset).
    """

    def __init__(
        self, message: str, *, source: str | None = None, offset: int | None = None, layer: str | None = None
    ) -> None:
        self.offset = offset
        self.layer = layer
        where = []
        if layer:
            where.append(layer)
        if offset is not None:
            where.append(f"offset {offset:#x}")
        text = f"{message} ({', '.join(where)})" if where else message
        super().__init__(text, source=source)

    def with_source(self, source: str) -> GcnError:
        """The same error, attributed to ``source`` (a file name) if it has none yet."""
        if self.source:
            return self
        err = GcnError(self.reason, source=source)
        err.offset, err.layer = self.offset, self.layer
        return err
