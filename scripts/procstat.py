"""Small helpers the benchmark, load, soak and demo scripts share: processes and ports."""
import socket, subprocess


def rss_kb(pid):
    """Resident memory of process `pid` in KiB (0 when it has gone)."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process, timeout=10):
    """Terminates `process` (a subprocess.Popen) and waits for it, killing it after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
