"""Small helpers the benchmark and soak scripts share."""


def rss_kb(pid):
    """Resident memory of process `pid` in KiB (0 when it has gone)."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
