"""DICOM de-identification, checked by independent tools on every DICOM sample the tests carry.

CareVault de-identifies the files as a share does (`carevault dicom deidentify`, one share's key for all
of them). For each file pydicom reads both versions and checks, against the DICOM PS3.15 Annex E Basic
Profile table as dicom-anonymizer ships it (and against what dicognito, a second opinion, changes):
no attribute the profile lists keeps its original value (dates are checked apart: shifted by one
number of days across the share), Patient Identity Removed is YES, no private attribute is left, the
pixel data is unchanged, and UIDs are replaced consistently across the share and differently in
another. Files CareVault cannot read whole (no Part 10 header, truncated pixels) must be refused.

Usage: check_deidentification.py PATH/TO/carevault
"""
import datetime, glob, os, shutil, subprocess, sys, tempfile

import pydicom
from dicomanonymizer.dicom_anonymization_databases import dicomfields_2024b as profile
from dicognito.anonymizer import Anonymizer

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "CareVaultCoreTests", "Fixtures", "uploads")
# Every DICOM sample the tests carry: the single files, and the DICOMDIR tree (directories and the images of three patients).
SAMPLES = sorted(glob.glob(os.path.join(FIXTURES, "*.dcm"))
                 + [p for p in glob.glob(os.path.join(FIXTURES, "dicomdirtests", "**", "*"), recursive=True)
                    if os.path.isfile(p) and not p.endswith(".txt")])
LISTED = {pydicom.tag.Tag(t[0], t[1]) for t in profile.ALL_TAGS if len(t) == 2}
TEMPORAL_VRS = {"DA", "TM", "DT"}
UID_TAGS = {pydicom.tag.Tag(0x0020, 0x000D), pydicom.tag.Tag(0x0020, 0x000E), pydicom.tag.Tag(0x0008, 0x0018)}


def output(out, path):
    """Where the copy of `path` goes (names repeat across the DICOMDIR tree's folders)."""
    return os.path.join(out, os.path.relpath(path, FIXTURES).replace(os.sep, "__"))


def run(binary, share, out):
    """De-identifies every sample with one share's key (one call per file: the same key maps UIDs the same way)."""
    os.makedirs(out, exist_ok=True)
    for path in SAMPLES:
        staging = tempfile.mkdtemp()
        subprocess.run([binary, "dicom", "deidentify", path, "--out", staging, "--share", share], check=True, capture_output=True, text=True)
        made = os.path.join(staging, os.path.basename(path))
        if os.path.exists(made):
            shutil.move(made, output(out, path))
        shutil.rmtree(staging, ignore_errors=True)


def values(dataset):
    """Every (tag, value) in the dataset, nested ones included."""
    found = {}
    for element in dataset.iterall():
        if element.VR != "SQ" and element.value not in (None, "", b""):
            found.setdefault(element.tag, []).append(str(element.value))
    return found


def main():
    binary = sys.argv[1]
    passed = failed = 0

    def check(condition, message):
        nonlocal passed, failed
        if condition:
            passed += 1
        else:
            failed += 1
            print(f"dicom check failed: {message}", file=sys.stderr)

    work = tempfile.mkdtemp(prefix="carevault-dicom-")
    try:
        first, second = os.path.join(work, "a"), os.path.join(work, "b")
        run(binary, "share-one", first)
        run(binary, "share-two", second)
        uid_map, shifts = {}, set()
        for path in SAMPLES:
            name = os.path.relpath(path, FIXTURES)
            out = output(first, path)
            try:
                original = pydicom.dcmread(path)
                readable = original.preamble is not None and ("PixelData" not in original or len(original.PixelData) >= \
                    (original.get("Rows", 0) * original.get("Columns", 0) * original.get("BitsAllocated", 8) // 8 * int(original.get("NumberOfFrames", 1) or 1)
                     if "TransferSyntaxUID" in original.file_meta and not original.file_meta.TransferSyntaxUID.is_compressed else 0))
            except Exception:
                readable = False
            if not os.path.exists(out):
                check(not readable, f"{name}: refused although pydicom reads it whole")
                continue
            check(readable, f"{name}: de-identified although it is not a whole Part 10 file")
            clean = pydicom.dcmread(out)
            before, after = values(original), values(clean)
            for tag, originals in before.items():
                element = original.get(tag)
                vr = element.VR if element is not None else pydicom.datadict.dictionary_VR(tag) if pydicom.datadict.dictionary_has_tag(tag) else "UN"
                if tag in LISTED and vr not in TEMPORAL_VRS:
                    kept = set(originals) & set(after.get(tag, []))
                    check(not kept, f"{name}: {tag} ({pydicom.datadict.keyword_for_tag(tag)}) kept its original value {kept}")
            check(clean.get("PatientIdentityRemoved") == "YES", f"{name}: Patient Identity Removed is not YES")
            check(not any(e.tag.is_private for e in clean.iterall()), f"{name}: a private attribute is left")
            meta = {int(t) & 0xFFFF for t in clean.file_meta.keys()}
            check(meta <= {0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x0012, 0x0013}, f"{name}: file meta keeps {sorted(hex(m) for m in meta)}")
            check(not any(e.VR == "SQ" for e in clean), f"{name}: a sequence is left")
            if "PixelData" in original:
                check(clean.PixelData == original.PixelData, f"{name}: the pixel data changed")
            for keyword in ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate"):
                if original.get(keyword):
                    a = datetime.datetime.strptime(original.get(keyword), "%Y%m%d")
                    b = datetime.datetime.strptime(clean.get(keyword), "%Y%m%d")
                    shifts.add((b - a).days)
            for tag in UID_TAGS:
                if tag in original:
                    old, new = str(original[tag].value), str(clean[tag].value)
                    check(new != old and new.startswith("2.25."), f"{name}: {tag} not replaced")
                    check(uid_map.setdefault(old, new) == new, f"{name}: {old} replaced two ways in one share")
                    other = pydicom.dcmread(output(second, path))
                    check(str(other[tag].value) != new, f"{name}: {tag} replaced the same way in another share")
            # A second opinion: whatever dicognito changes, CareVault does not leave as it was.
            opinion = pydicom.dcmread(path)
            Anonymizer().anonymize(opinion)
            changed = {t for t, v in values(original).items() if values(opinion).get(t) != v}
            for tag in changed:
                vr = original[tag].VR if tag in original else "UN"
                if vr in TEMPORAL_VRS or tag == pydicom.tag.Tag(0x0010, 0x0040):
                    continue  # dates and times: the patient's choice; sex: emptied here, kept by dicognito's own policy
                check(not (set(before[tag]) & set(after.get(tag, []))), f"{name}: dicognito changes {pydicom.datadict.keyword_for_tag(tag)}, CareVault kept it")
        check(len(shifts) == 1 and next(iter(shifts)) < 0, f"dates are not shifted by one number of days across the share: {shifts}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"dicom: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
