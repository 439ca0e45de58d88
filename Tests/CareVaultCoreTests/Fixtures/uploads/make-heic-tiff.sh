#!/usr/bin/env bash
# Makes the HEIC and TIFF fixtures (committed; run again only to change them). Needs Pillow and
# pillow-heif from PyPI, heif-enc (Debian's libheif-examples) and exiftool. The pictures are drawn
# here; the metadata is fake but shaped like a phone's: GPS, artist, description, camera, serial
# number, XMP creator, IPTC city; photo-thumbnail.heic also has an embedded thumbnail and a grid.
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
from PIL import Image, ImageDraw
import pillow_heif
im = Image.new("RGB", (96, 64), (200, 120, 90))
d = ImageDraw.Draw(im)
d.ellipse((20, 10, 60, 50), fill=(150, 40, 40))
d.rectangle((70, 5, 90, 58), fill=(40, 60, 160))
exif = Image.Exif()
exif[0x0112] = 6
exif[0x010F] = "TestCam"
exif[0x0110] = "Model X"
exif[0x013B] = "Test Patient Jane Doe"
exif[0x010E] = "rash on left forearm - test"
heif = pillow_heif.from_pillow(im)
heif[0].info["exif"] = exif.tobytes()
heif.save("photo-gps.heic", quality=60)
# As phones store photos: the primary image is a grid of tiles (its layout in idat), here 3 x 2.
im3 = Image.new("RGB", (160, 120), (90, 160, 200))
ImageDraw.Draw(im3).ellipse((30, 20, 120, 100), fill=(200, 50, 50))
grid = pillow_heif.from_pillow(im3)
grid[0].info["exif"] = exif.tobytes()
grid.save("photo-grid.heic", quality=60, tile_size=64)
page2 = Image.new("L", (80, 40), 230)
ImageDraw.Draw(page2).line((0, 0, 80, 40), fill=0)
im.save("scan-gps.tif", save_all=True, append_images=[page2], exif=exif, compression="tiff_lzw")
im2 = Image.new("RGB", (128, 96), (90, 160, 200))
ImageDraw.Draw(im2).ellipse((30, 20, 90, 80), fill=(200, 50, 50))
im2.save("/tmp/carevault-fixture.png")
PY
heif-enc -q 50 -t 48 -o photo-thumbnail.heic /tmp/carevault-fixture.png
rm /tmp/carevault-fixture.png
exiftool -q -overwrite_original -GPSLatitude=40.689247 -GPSLatitudeRef=N -GPSLongitude=74.044502 -GPSLongitudeRef=W \
  -GPSAltitude=10 -DateTimeOriginal="2013:12:17 14:04:24" -SerialNumber=SN12345 -XMP:Creator="Jane Doe XMP" \
  photo-gps.heic photo-grid.heic scan-gps.tif
exiftool -q -overwrite_original -IPTC:City="Test City" scan-gps.tif
exiftool -q -overwrite_original -GPSLatitude=40.689247 -GPSLatitudeRef=N -GPSLongitude=74.044502 -GPSLongitudeRef=W \
  -Artist="Test Patient Jane Doe" -XMP:Creator="Jane Doe XMP" photo-thumbnail.heic
