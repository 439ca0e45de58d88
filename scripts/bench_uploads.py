"""The upload benchmark (issue 4), run by `scripts/bench --suite uploads`.

For 1 MB, 10 MB and 100 MB files (random bytes behind a PDF header, so every upload is new and
accepted; small files in batches of about 100 MB per run): `curl` posts each as multipart/form-data to a fresh release server (SQLite, files
under the data folder) as a signed-in patient, three times per size. Reported: wall MB/s, MB per
server CPU-second, and that beside the machine's own AES-256-GCM + SHA-256 speed on the same
kind of bytes, measured in the same run by `carevault-crypto-bench` (swift-crypto directly; also
CareVault's own chunked format). Memory: the server's peak RSS during the uploads minus its RSS
before them (VmHWM − VmRSS), per size.
"""
import os, re, shutil, statistics, subprocess, tempfile, time

SIZES = [1, 10, 100]


def make_file(folder, megabytes, n):
    path = f"{folder}/upload-{megabytes}mb-{n}.pdf"
    with open(path, "wb") as f:
        header = b"%PDF-1.7\n% CareVault upload benchmark\n"
        f.write(header)
        f.write(os.urandom((megabytes << 20) - len(header)))  # exactly N MiB: 100 MiB is the default limit
    return path


def rss(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def upload(server, session, csrf, patient_path, path, api=False):
    """Posts one file as the page does (answered with the HTML page, 200) or as an API client (JSON, 201)."""
    accept = ["-H", "Accept: application/json"] if api else []
    out = subprocess.run(["curl", "-s", "-H", "Expect:", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Cookie: {session}", "-H", f"X-CSRF-Token: {csrf}",
                          *accept, "-F", f"files=@{path};filename=report.pdf;type=application/pdf", server.base + patient_path + "/uploads"],
                         capture_output=True, text=True, check=True).stdout
    if out != ("201" if api else "200"):
        raise RuntimeError(f"upload answered {out}")


def run(binary, crypto_binary, args, Server, cpu_seconds, register_patient, password):
    server = Server(binary, None)
    scratch = tempfile.mkdtemp(prefix="carevault-bench-uploads-")
    try:
        server.cli("patient", "create", "--mrn", "UP-1", "--given", "Una", "--family", "Loader", "--birth-date", "1980-02-03")
        session, home = register_patient(server, "UP-1", "1980-02-03", password)
        page = subprocess.run(["curl", "-s", "-H", f"Cookie: {session}", server.base + home + "/uploads"], capture_output=True, text=True).stdout
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        crypto = subprocess.run([crypto_binary, "200", server.data], capture_output=True, text=True, check=True).stdout
        ceiling = float(re.search(r"crypto_mb_per_cpu_s ([\d.]+)", crypto).group(1))
        ours = float(re.search(r"blob_encryptor_mb_per_cpu_s ([\d.]+)", crypto).group(1))
        stored = float(re.search(r"stored_mb_per_cpu_s ([\d.]+)", crypto).group(1))
        upload(server, session, csrf, home, make_file(scratch, 1, 0))  # warm-up
        rows = []
        # Each size as the web page posts it; then 1 MB files as an API client (JSON answer, no page rendered).
        for size, api in [(size, False) for size in SIZES] + [(1, True)]:
            runs = []
            base_rss = rss(server.process.pid, "VmRSS")
            # Small files go in batches of about 100 MB: CPU time is counted in 10 ms ticks.
            batch = max(1, 100 // size)
            for n in range(args.runs):
                paths = [make_file(scratch, size, n * batch + i + 1) for i in range(batch)]
                # The inputs reach the disk before the clock starts: otherwise the server's fsync can end
                # up writing the benchmark's own freshly written files (ext4 commits them together).
                os.sync()
                before_cpu, start = cpu_seconds(server.process.pid), time.monotonic()
                for path in paths:
                    upload(server, session, csrf, home, path, api=api)
                wall, cpu = time.monotonic() - start, cpu_seconds(server.process.pid) - before_cpu
                runs.append((size * batch / wall, size * batch / cpu if cpu else float("nan")))
                for path in paths:
                    os.remove(path)
            growth = (rss(server.process.pid, "VmHWM") - base_rss) / 1024
            rows.append((f"{size} MB" + (" (API, JSON answer)" if api else ""), statistics.median(r[0] for r in runs),
                         statistics.median(r[1] for r in runs), growth))
        lines = [f"Crypto ceiling on this machine, same run: AES-256-GCM + SHA-256 with swift-crypto **{ceiling:,.0f} MB per CPU-second** "
                 f"(the faster of swift-crypto called directly, with counter nonces, and CareVault's chunked format alone: {ours:,.0f}; "
                 f"that format written to a file on the server's disk and synced, "
                 f"without HTTP: {stored:,.0f}).\n",
                 "| file | wall MB/s | MB per server CPU-s | vs crypto ceiling | vs encrypt + write + sync | peak RSS growth |",
                 "|---|---|---|---|---|---|"]
        for size, wall, per_cpu, growth in rows:
            lines.append(f"| {size} | {wall:,.0f} | {per_cpu:,.0f} | {100 * per_cpu / ceiling:.0f} % | {100 * per_cpu / stored:.0f} % | {growth:.1f} MiB |")
        return "\n".join(lines)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
