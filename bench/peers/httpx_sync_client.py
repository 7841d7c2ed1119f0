"""Peer client for the sync rows of the harness: Python HTTPX's sync Client (Debian's
python3-httpx), requests one after the other on one keep-alive connection.
    httpx_sync_client.py <get|stream|upload> <url> <n> 1 <h1|h2|h2c> [body_bytes]
Prints: RESULT ok= err= bytes= elapsed= cpu_user= cpu_sys=  (the request loop only)
"""
import resource
import sys
import time

import httpx


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "1":
        sys.exit(f"usage: {sys.argv[0]} <get|stream|upload> <url> <n> 1 <h1|h2|h2c> [body_bytes]")
    mode, url, n, proto = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[5]
    body_bytes = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    options = {"http1": proto != "h2c", "http2": proto != "h1"}
    payload = b"x" * body_bytes
    ok = err = received = 0
    with httpx.Client(verify=False, timeout=120, trust_env=False, **options) as client:
        user0, sys0 = cpu()
        start = time.perf_counter()
        for _ in range(n):
            try:
                if mode == "stream":
                    with client.stream("GET", url) as response:
                        for chunk in response.iter_raw():
                            received += len(chunk)
                elif mode == "upload":
                    response = client.post(url, content=payload)
                    received += len(response.content)
                else:
                    response = client.get(url)
                    received += len(response.content)
                if response.status_code == 200:
                    ok += 1
                else:
                    err += 1
            except httpx.HTTPError as error:
                err += 1
                if err == 1:
                    print(f"request failed: {error!r}", file=sys.stderr)
        elapsed = time.perf_counter() - start
        user1, sys1 = cpu()
    print(f"RESULT ok={ok} err={err} bytes={received} elapsed={elapsed:.6f} "
          f"cpu_user={user1 - user0:.6f} cpu_sys={sys1 - sys0:.6f}", flush=True)
    return err


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
