"""Console output of a training script: what ``model.fit``, a Trainer or a loop printed.

Most people have no log file, only what their script printed. This reader takes that
text (a file, standard input, a forum paste) and recovers one record per epoch. One module
per job:

* ``lines``: printed text into lines (ANSI codes, ``\\r`` updates, wrapped lines, a cut tail,
  TensorFlow/XLA's own log lines of a GPU run and callback messages glued onto a bar);
* ``patterns`` / ``pairs``: the shared vocabulary, and ``name: value`` pairs from a line;
* ``keras``: ``model.fit`` verbose=1/2 (Keras 2 and 3), with a whole-text fast path;
* ``hf``: Hugging Face Trainer dicts;
* ``tqdm``: tqdm bars' postfixes, and bars over the epochs (``TqdmCallback``, epoch loops);
* ``generic``: per-epoch/per-step lines of hand-written loops and other libraries;
* ``fastai``: whitespace-aligned epoch tables;
* ``runs``: runs being assembled, and the RunHistory objects they become;
* ``parse``: each line to its handler (``parse_console_text``, shared with the notebook reader);
* ``sniff`` / ``reader``: detection, and the registered ``console`` reader.
"""

from fitdoctor.io.console.pairs import extract_pairs
from fitdoctor.io.console.parse import parse_console_text
from fitdoctor.io.console.reader import ConsoleReader
from fitdoctor.io.console.runs import drop_one_value_runs
from fitdoctor.io.console.sniff import sniff_text

__all__ = ["ConsoleReader", "drop_one_value_runs", "extract_pairs", "parse_console_text", "sniff_text"]
