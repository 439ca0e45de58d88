#!/usr/bin/env python3
"""Makes the fuzz targets' seed corpora (committed; run again only to change them).

Seeds come from ../shared/test-material (DICOM, JPEG, PNG, FHIR bundles and examples), from the
project's own test fixtures (the TIFF and HEIC photos, which the shared material lacks), and from
small files written here (multipart bodies, readings CSVs, PNG chunks, TIFF variants, odd JSON).
Upstream licences are copied to Corpus/licenses/ (the TIFF and HEIC fixtures are the project's
own: Tests/CareVaultCoreTests/Fixtures/uploads/make-heic-tiff.sh). Each seed is kept small (under
64 KB: image data after the headers is cut, DICOM stops at the pixel data, bundles keep a few
entries of each type), so the fuzzer spends its time on structure.

Usage: Fuzz/Corpus/make-corpus.py [path to shared/test-material]
"""
import json
import os
import shutil
import struct
import sys
import tarfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SHARED = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "test-material"))
FIXTURES = os.path.join(ROOT, "Tests", "CareVaultCoreTests", "Fixtures", "uploads")
LIMIT = 64 * 1024
written = {}


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def seed(target, name, data):
    assert len(data) <= LIMIT, f"{target}/{name} is {len(data)} bytes"
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    written[target] = written.get(target, 0) + 1


def reset():
    for name in os.listdir(HERE):
        if name.startswith("Fuzz") and os.path.isdir(os.path.join(HERE, name)):
            shutil.rmtree(os.path.join(HERE, name))


# --- DICOM: the header up to the pixel data (or waveform data), which the reader stops at or never needs.
def dicom_header(data):
    cut = len(data)
    # Pixel data: the reader stops at its tag. Waveform data: cut just before, where an element ends.
    for marker, keep in ((b"\xe0\x7f\x10\x00", 16), (b"\x7f\xe0\x00\x10", 16), (b"\x00\x54\x10\x10", 0), (b"\x54\x00\x10\x10", 0)):
        at = data.find(marker, 132)
        if at > 0:
            cut = min(cut, at + keep)
    return data[:min(cut, LIMIT)]


def dicom():
    folder = os.path.join(SHARED, "uploads", "dicom")
    names = ["CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm", "MR_truncated.dcm", "JPEG-lossy.dcm",
             "test-SR.dcm", "rtstruct.dcm", "waveform_ecg.dcm", "examples_overlay.dcm", "examples_ybr_color.dcm", "examples_jpeg2k.dcm",
             "dicomdirtests/DICOMDIR", "dicomdirtests/DICOMDIR-implicit", "dicomdirtests/DICOMDIR-bigEnd", "dicomdirtests/DICOMDIR-empty.dcm",
             "dicomdirtests/DICOMDIR-nooffset", "dicomdirtests/77654033/CT2/17136", "dicomdirtests/98892003/MR700/4648",
             "dicomdirtests/TINY_ALPHA/PT000000/ST000000/SE000000/IM000000"]
    for name in names:
        seed("FuzzDICOM", name.replace("/", "_"), dicom_header(read(folder, name)))
    # Without the Part 10 preamble: the reader refuses it, but mutations that add one reach far.
    seed("FuzzDICOM", "no_meta.dcm", read(folder, "no_meta.dcm")[:4096])


# --- JPEG: every segment before the scan, then a little of the scan and the end-of-image marker.
def jpeg_trimmed(data, keep=512):
    if not data.startswith(b"\xff\xd8"):
        return data[:LIMIT]
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return data[:LIMIT]
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker == 0xDA:
            end = i + 2 + length + keep
            return data[:end] + b"\xff\xd9" if end < len(data) else data
        i += 2 + length
    return data[:LIMIT]


def jpeg():
    folder = os.path.join(SHARED, "uploads", "images")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".jpg") and os.path.getsize(os.path.join(folder, name)) > 0:
            seed("FuzzJPEG", name, jpeg_trimmed(read(folder, name)))
    # Data after the image, as phones append (a second image, a trailer).
    base = jpeg_trimmed(read(folder, "pillow_hopper_orientation_6.jpg"))
    seed("FuzzJPEG", "trailer.jpg", base + b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\x00\x00\x00\x08" + b"SEFT" * 8)


# --- PNG: chunks with short picture data (CRCs recomputed), and chunk kinds written here.
def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def png_trimmed(data, keep=256):
    out, i = data[:8], 8
    while i + 12 <= len(data):
        length = struct.unpack(">I", data[i:i + 4])[0]
        kind, payload = data[i + 4:i + 8], data[i + 8:i + 8 + length]
        if kind == b"IDAT":
            payload = payload[:keep]
        out += png_chunk(kind, payload)
        i += 12 + length
        if kind == b"IEND":
            break
    return out


def png():
    seed("FuzzPNG", "pillow_exif.png", png_trimmed(read(SHARED, "uploads", "images", "pillow_exif.png")))
    seed("FuzzPNG", "fixture_pillow_exif.png", png_trimmed(read(FIXTURES, "pillow_exif.png")))
    sig = b"\x89PNG\r\n\x1a\n"
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
    idat = png_chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\x00\xff" * 2))
    iend = png_chunk(b"IEND", b"")
    exif = b"MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00"
    text = [png_chunk(b"tEXt", b"Author\x00Test Patient Jane Doe"),
            png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"rash on left forearm")),
            png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>Jane</x:xmpmeta>"),
            png_chunk(b"tIME", struct.pack(">HBBBBB", 2026, 12, 2, 18, 30, 0)),
            png_chunk(b"eXIf", exif)]
    seed("FuzzPNG", "minimal.png", sig + ihdr + idat + iend)
    seed("FuzzPNG", "text-chunks.png", sig + ihdr + b"".join(text) + idat + iend)
    seed("FuzzPNG", "iccp-and-trailer.png", sig + ihdr + png_chunk(b"iCCP", b"sRGB\x00\x00" + zlib.compress(b"\x00" * 64)) + idat
         + png_chunk(b"tEXt", b"GPS\x0040.68,-74.04") + iend + b"trailing bytes after IEND" + text[0])
    seed("FuzzPNG", "split-idat.png", sig + ihdr + png_chunk(b"IDAT", b"\x78\x9c") + text[4] + png_chunk(b"IDAT", b"\x63\x00") + iend)


# --- TIFF: the project's fixture, and small files written here in both byte orders.
def tiff(little, pages=2, exif=True, gps=True):
    e = "<" if little else ">"
    body = bytearray(b"II*\x00" if little else b"MM\x00*") + struct.pack(e + "I", 8)

    def ifd(entries, next_offset):
        out = struct.pack(e + "H", len(entries))
        for tag, kind, count, value in sorted(entries):
            if isinstance(value, bytes):
                out += struct.pack(e + "HHI", tag, kind, count) + value.ljust(4, b"\x00")
            elif kind == 3:
                out += struct.pack(e + "HHIH", tag, kind, count, value) + b"\x00\x00"
            else:
                out += struct.pack(e + "HHII", tag, kind, count, value)
        return out + struct.pack(e + "I", next_offset)

    # Layout: header, then each page: IFD (fixed 12 entries max) + strip, then the EXIF and GPS IFDs and strings.
    pixels = bytes(range(16))
    artist = b"Test Patient Jane Doe\x00"
    offsets = {}
    pos = 8
    size_ifd = lambda n: 2 + 12 * n + 4
    offsets["page0"] = pos; pos += size_ifd(11)
    offsets["strip0"] = pos; pos += len(pixels)
    offsets["artist"] = pos; pos += len(artist)
    if pages > 1:
        offsets["page1"] = pos; pos += size_ifd(8)
        offsets["strip1"] = pos; pos += len(pixels)
    offsets["exif"] = pos; pos += size_ifd(1)
    offsets["gps"] = pos; pos += size_ifd(2)
    page0 = [(256, 3, 1, 4), (257, 3, 1, 4), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, offsets["strip0"]),
             (277, 3, 1, 1), (279, 4, 1, len(pixels)), (315, 2, len(artist), offsets["artist"])]
    if exif:
        page0.append((34665, 4, 1, offsets["exif"]))
    if gps:
        page0.append((34853, 4, 1, offsets["gps"]))
    body += ifd(page0, offsets.get("page1", 0)).ljust(size_ifd(11), b"\x00")
    body += pixels + artist
    if pages > 1:
        page1 = [(254, 4, 1, 1), (256, 3, 1, 4), (257, 3, 1, 4), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
                 (273, 4, 1, offsets["strip1"]), (279, 4, 1, len(pixels))]
        body += ifd(page1, 0) + pixels
    body += ifd([(36867, 2, 4, b"2013")], 0)
    body += ifd([(1, 2, 2, b"N\x00"), (3, 2, 2, b"W\x00")], 0)
    return bytes(body)


def tiffs():
    seed("FuzzTIFF", "scan-gps.tif", read(FIXTURES, "scan-gps.tif"))
    seed("FuzzTIFF", "little-two-pages.tif", tiff(True))
    seed("FuzzTIFF", "big-two-pages.tif", tiff(False))
    seed("FuzzTIFF", "big-one-page-no-gps.tif", tiff(False, pages=1, gps=False))


def heif():
    for name in ("photo-gps.heic", "photo-grid.heic", "photo-thumbnail.heic"):
        seed("FuzzHEIF", name, read(FIXTURES, name))


# --- FHIR: small bundles whole, large ones cut to a few entries of each resource type.
def trimmed_bundle(path, per_type=1, budget=48 * 1024):
    bundle = json.load(open(path))
    kept, counts = [], {}
    # The Patient first (an import needs exactly one), then the rest in their order.
    entries = sorted(bundle.get("entry", []), key=lambda e: e.get("resource", {}).get("resourceType") != "Patient")
    for entry in entries:
        kind = entry.get("resource", {}).get("resourceType")
        if counts.get(kind, 0) >= per_type and kind != "Patient":
            continue
        candidate = dict(bundle, entry=kept + [entry])
        if len(json.dumps(candidate, separators=(",", ":"))) > budget:
            continue
        counts[kind] = counts.get(kind, 0) + 1
        kept.append(entry)
    return json.dumps(dict(bundle, entry=kept), separators=(",", ":")).encode()


def bundles():
    inferno = os.path.join(SHARED, "fhir", "inferno-reference-server-data")
    whole = {"inferno-907.json": read(inferno, "uscore_bundle_patient_907.json"), "inferno-908.json": read(inferno, "uscore_bundle_patient_908.json")}
    cut = {
        "inferno-85.json": trimmed_bundle(os.path.join(inferno, "uscore_bundle_patient_85.json")),
        "inferno-355.json": trimmed_bundle(os.path.join(inferno, "uscore_bundle_patient_355.json"), budget=24 * 1024),
        "inferno-quality-core.json": trimmed_bundle(os.path.join(inferno, "us_quality_core_bundle_patient.json"), budget=32 * 1024),
        "carebundle-hypertension.json": trimmed_bundle(os.path.join(SHARED, "uploads", "fhir-carebundle", "bundle-hypertension.json"), per_type=2),
        "carebundle-diabetes.json": trimmed_bundle(os.path.join(SHARED, "uploads", "fhir-carebundle", "bundle-type2_diabetes.json"), budget=24 * 1024),
        "synthea-buster-hoeger.json": trimmed_bundle(os.path.join(SHARED, "fhir", "synthea-smart-generated",
                                                                  "Buster_Hoeger_ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423.json"), budget=32 * 1024),
    }
    # A collection with a bare Patient and a Binary attachment (the `url` rewrite), written here.
    small = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:11111111-1111-4111-8111-111111111111",
         "resource": {"resourceType": "Patient", "id": "p1", "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN-1"}],
                      "name": [{"family": "Doe", "given": ["Jane"]}], "birthDate": "1980-02-29"}},
        {"resource": {"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "Weight"},
                      "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
                      "valueQuantity": {"value": 72.50, "unit": "kg"}, "effectiveDateTime": "2026-11-01T07:30:00-06:00"}},
        {"resource": {"resourceType": "DocumentReference", "id": "d1", "status": "current", "subject": {"reference": "Patient/p1"},
                      "content": [{"attachment": {"contentType": "application/pdf", "url": "Binary/b1"}}]}},
        {"request": {"method": "PUT", "url": "Binary/b1"}, "resource": {"resourceType": "Binary", "id": "b1", "contentType": "text/plain", "data": "aGVsbG8="}},
    ]}
    cut["collection-small.json"] = json.dumps(small, indent=1).encode()
    for name, data in {**whole, **cut}.items():
        seed("FuzzBundleImport", name, data)
        seed("FuzzJSON", name, data)
    seed("FuzzJSON", "patient-F.json", read(SHARED, "uploads", "fhir-carebundle", "patient-F.json"))
    # A spread of R4 resource types from the official examples: the smallest of each of a few kinds.
    with tarfile.open(os.path.join(SHARED, "fhir", "hl7-fhir-r4-examples-604.tar.gz")) as tar:
        for member in tar.getmembers():
            base = os.path.basename(member.name)
            if base in ("observation-example-bloodpressure.json", "patient-example.json", "questionnaireresponse-example.json",
                        "medicationrequest0301.json", "diagnosticreport-example-ghp.json", "bundle-example.json", "allergyintolerance-example.json"):
                data = tar.extractfile(member).read()
                if len(data) <= LIMIT:
                    seed("FuzzJSON", "r4-" + base, data)
    odd = {
        "numbers.json": b'[0,-0,1.50,-1.0e+10,1E-7,123456789012345678901234567890,0.000]',
        "escapes.json": b'{"a\\u0000b":"\\ud83d\\ude00 \\u00e9 e\\u0301 \\"\\\\\\/\\b\\f\\n\\r\\t","":null,"k":true,"k":false}',
        "nested.json": b"[" * 200 + b"{}" + b"]" * 200,
        "bundle-duplicate-entry.json": b'{"resourceType":"Bundle","entry":[{"a":1}],"type":"batch","entry":[]}',
        "bundle-odd-entries.json": b'{"resourceType":"Bundle","type":"batch","entry":[1,"x",[{"]":"["}],{"s":"\\"}"},null]}',
        "utf8.json": '{"name":"Zoë Ångström 山田 \U0001F600","bom":"\ufeff"}'.encode(),
    }
    for name, data in odd.items():
        seed("FuzzJSON", name, data)
    seed("FuzzBundleImport", "bundle-odd-entries.json", odd["bundle-odd-entries.json"])


# --- Readings CSV (format: Sources/CareVaultCore/Readings/ReadingsCSV.swift), written here.
def csvs():
    files = {
        "all-measures.csv": "date,time,measure,value,unit,context\n2026-11-01,07:30,blood pressure,128/82,mmHg,sitting\n"
                            "2026-11-01,07:35,pulse,64,bpm,\n2026-11-02,,weight,72.5,kg,\n2026-11-02,,weight,160,lbs,\n"
                            "2026-11-02,,height,5'10\",,\n2026-11-03,08:00,temperature,98.6,°F,\n2026-11-03,08:05,temp,37.0,°C,\n"
                            "2026-11-04,08:00,glucose,95,mg/dL,after-meal\n2026-11-04,09:00,blood sugar,5.3,mmol/L,fasting\n"
                            "2026-11-05,,spo2,97,%,\n2026-11-05,,steps,9000,steps,\n",
        "errors.csv": "Date,Time,Measure,Value,Unit,Context\r\n2026-11-01,07:35,bp,82/128,mmHg,\r\n2026-11-02,,weight,\"72,5\",kg,\r\n"
                      "2026-11-03,08:00,pulse,abc,bpm,\r\n2026-11-03,08:00,mood,5,,\r\n\r\n2030-01-01,,steps,9000,steps,\r\n"
                      "1899-12-31,25:61,heart-rate,-1,/min,lying\r\n2026-02-29,,oxygen,101,percent,\r\n",
        "quotes-bom.csv": "\ufeffmeasure,\"value\",unit,date\n\"blood-pressure\",\"141/91\",\"mm[Hg]\",\"2026-11-01\"\n"
                          "\"glucose\",\"6.1\",\"mmol/L\",\"2026-11-02\"\n\"weight\",\"=1+1\",kg,2026-11-03\n\"x\"\"y\",\"multi\nline\",,\n",
        "downloaded.csv": "date,time,measure,value,unit,context,source\n2026-11-01,07:30,blood-pressure,141/91,mm[Hg],standing,You\n"
                          "2026-11-02,,glucose,6.1,mmol/L,before-meal,clinic\n2026-11-02,21:05,heart-rate,64,/min,,You\n",
        "header-only.csv": "date,measure,value,unit\n",
        "unclosed.csv": "date,measure,value,unit\n\"2026-01-01,bp\n",
        "dst-times.csv": "date,time,measure,value,unit\n2026-03-08,02:30,pulse,70,bpm\n2026-11-01,01:30,pulse,71,bpm\n2026-04-05,02:15,pulse,72,bpm\n"
                         "2026-10-04,02:30,pulse,73,bpm\n2026-12-02,11:59,pulse,74,bpm\n2026-12-02,23:59,pulse,75,bpm\n",
    }
    for name, text in files.items():
        seed("FuzzReadingsCSV", name, text.encode())


# --- Multipart bodies, written here: the target takes the boundary from the first line.
def multipart():
    def body(boundary, parts, preamble=b"", epilogue=b"", close=True):
        out = preamble
        for headers, content in parts:
            out += b"--" + boundary + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + content + b"\r\n"
        return out + (b"--" + boundary + b"--" + epilogue if close else b"")

    webkit = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"
    csrf = (b'Content-Disposition: form-data; name="csrf"',), b"Zm9vYmFyYmF6"
    file = (b'Content-Disposition: form-data; name="file"; filename="scan.dcm"', b"Content-Type: application/dicom"), b"\x00" * 16 + b"DICM"
    # Near misses of the delimiter inside a file: it minus its last byte, a lone CR, dashes, the boundary without its dashes.
    near = b"\r\n--" + webkit[:-1] + b"\r\r\n-\r\n-" + webkit + b"\r" + webkit + b"\r\n\r\n"
    seeds = {
        "form.txt": body(webkit, [csrf, ((b'Content-Disposition: form-data; name="title"',), b"Blood test, May")]),
        "file.txt": body(webkit, [csrf, file]),
        "near-delimiters.txt": body(webkit, [((b'Content-Disposition: form-data; name="file"; filename="x.bin"',), near * 3)]),
        "curl.txt": body(b"------------------------d74496d66958873e", [((b'Content-Disposition: form-data; name="file"; filename="a.csv"',
                                                                           b"Content-Type: text/csv"), b"date,measure,value,unit\r\n")]),
        "preamble-epilogue.txt": body(b"b", [((b"A: 1",), b"x"), ((), b"part without headers")], preamble=b"ignored preamble\r\n",
                                      epilogue=b"\r\nepilogue ignored"),
        "padding-after-delimiter.txt": b"--b \t \r\nX-Test:  spaced value \r\n\r\nbody\r\n--b\t\r\nB: 2\r\n\r\n\r\n--b--",
        "cut-off.txt": body(webkit, [csrf, file], close=False)[:-5],
        "empty-parts.txt": body(b"z", [((b"C: 1",), b""), ((b"C: 2",), b"")]),
    }
    for name, data in seeds.items():
        seed("FuzzMultipart", name, data)


# --- Upload sniffing: the first bytes of each kind, and of kinds that are refused.
def sniffer():
    images = os.path.join(SHARED, "uploads", "images")
    samples = {
        "dicom": read(SHARED, "uploads", "dicom", "MR_small.dcm")[:512],
        "pdf": read(SHARED, "uploads", "pdf", "pypdf_crazyones.pdf")[:512],
        "jpeg": read(images, "pillow_hopper.jpg")[:512],
        "png": read(images, "pillow_exif.png")[:512],
        "tiff": read(FIXTURES, "scan-gps.tif")[:512],
        "heic": read(FIXTURES, "photo-gps.heic")[:512],
        "text": "Blood pressure log: 128/82 — Zoë\n".encode(),
        "csv": b"\xef\xbb\xbfdate,measure,value,unit\r\n2026-11-01,bp,128/82,mmHg\r\n",
        "html": b"  \xef\xbb\xbf<!DOCTYPE html><script>alert(1)</script>",
        "svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "exe": b"MZ\x90\x00" + b"\x00" * 60,
        "zip": b"PK\x03\x04" + b"\x00" * 26,
        "script": b"#!/bin/sh\necho hi\n",
        "cut-utf8": "ab€".encode()[:-1],
    }
    for name, data in samples.items():
        seed("FuzzUploadSniffer", name, data)


# --- Where the seeds come from, with the upstream licences beside them.
def licences():
    folder = os.path.join(HERE, "licenses")
    os.makedirs(folder, exist_ok=True)
    for source, name in [
        (("uploads", "dicom", "LICENSE-pydicom.txt"), "LICENSE-pydicom.txt"),
        (("uploads", "images", "LICENSE-piexif.txt"), "LICENSE-piexif.txt"),
        (("uploads", "images", "LICENSE-pillow.txt"), "LICENSE-pillow.txt"),
        (("uploads", "pdf", "LICENSE-pypdf.txt"), "LICENSE-pypdf.txt"),
        (("uploads", "fhir-carebundle", "LICENSE-carebundle.txt"), "LICENSE-carebundle.txt"),
        (("fhir", "inferno-reference-server-data", "LICENSE"), "LICENSE-inferno-reference-server-data.txt"),
        (("fhir", "inferno-reference-server-data", "NOTICE.md"), "NOTICE-inferno-reference-server-data.md"),
        (("fhir", "synthea-smart-generated", "LICENSE"), "LICENSE-synthea-smart-generated.txt"),
        (("fhir", "hl7-fhir-r4-examples.SOURCE.txt"), "SOURCE-hl7-fhir-r4-examples.txt"),
    ]:
        shutil.copyfile(os.path.join(SHARED, *source), os.path.join(folder, name))


if __name__ == "__main__":
    reset()
    dicom(); jpeg(); png(); tiffs(); heif(); bundles(); csvs(); multipart(); sniffer(); licences()
    total = 0
    for dirpath, _, files in os.walk(HERE):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    for target in sorted(written):
        print(f"{target}: {written[target]} seeds")
    print(f"total {total // 1024} KB")
    assert total < 2 * 1024 * 1024, "the whole corpus must stay under 2 MB"
