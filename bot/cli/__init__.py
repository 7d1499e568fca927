"""The ``advisor`` command line; its commands are in ``bot.cli.main``.

Importing the package gives OpenBLAS (numpy's BLAS) one thread unless the environment already
says how many: it runs before anything of the CLI imports numpy. Starting OpenBLAS's pool of
one thread per core costs ~50-90 ms of every ``advisor`` process's start (BENCHMARKS.md,
issue 15), and the pool buys nothing here: the CLI and the bot multiply one question's
vectors at a time, the model runs in ONNX Runtime's threads and search in faiss's (one), as
the answer workers already run side by side.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
