"""The compiled simulator loop (theorymodel/machines/_fastsim.c)."""

def run(next_state: bytes, write: bytes, move: bytes, n_symbols: int, tape: bytes, head: int, state: int,
        budget: int) -> tuple[int, int, int, int, bytes, int, int, int]: ...
