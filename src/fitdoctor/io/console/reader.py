"""The ``console`` reader: a file (or standard input) of what a training script printed."""

from __future__ import annotations

from pathlib import Path

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.io.base import Reader, decode_text, looks_binary, register
from fitdoctor.io.console.parse import parse_console_text
from fitdoctor.io.console.sniff import looks_like_table, sniff_text


@register
class ConsoleReader(Reader):
    name = "console"
    description = ("console output: Keras fit (verbose 1/2), HF Trainer dicts, Lightning/tqdm bars, "
                   "per-epoch print lines; a file or - for stdin")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head):
            return 0.0
        text = decode_text(head)
        if looks_like_table(text):
            return 0.0
        return sniff_text(text)

    def read(self, path: Path) -> list[RunHistory]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"{path}: cannot read ({exc.strerror})") from exc
        if looks_binary(data[:1024]):
            raise BadInput(f"{path}: binary file; expected console text printed by a training script")
        runs = parse_console_text(decode_text(data), source=str(path), fmt=self.name)
        if not runs:
            raise BadInput(f"{path}: no training output found; expected lines like 'Epoch 3/50' + "
                           "'... - loss: 0.41 - val_loss: 0.52' or 'epoch 3 loss=0.41 val_loss=0.52'")
        return runs
