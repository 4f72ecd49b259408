"""Pictures and a clip made in the suite for the near-duplicate tests: no files from the
internet. ``art(seed)`` is a poster of coloured shapes (different seeds: unrelated
pictures); the transformations are what re-posting does to a copy."""

import io
import random

import av
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageEnhance

SIZE = (480, 270)


def art(seed: int, size=SIZE) -> Image.Image:
    rnd = random.Random(seed)
    image = Image.new("RGB", size, tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rnd.randrange(size[0]), rnd.randrange(size[1])
        box = (x0, y0, x0 + rnd.randrange(40, 200), y0 + rnd.randrange(30, 150))
        colour = tuple(rnd.randrange(256) for _ in range(3))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return image


def reencoded(image, quality=35):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def scaled(image, factor=0.6):
    return image.resize((int(image.width * factor), int(image.height * factor)))


def cropped(image, share=0.02):
    dx, dy = int(image.width * share), int(image.height * share)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def recoloured(image):
    brighter = ImageEnhance.Brightness(image).enhance(1.08)
    return ImageEnhance.Color(brighter).enhance(0.85)


VARIANTS = {
    "reencoded": reencoded,
    "scaled": scaled,
    "cropped": cropped,
    "recoloured": recoloured,
    "all four": lambda im: reencoded(recoloured(cropped(scaled(im, 0.7))), 45),
}


def upload(image, name, fmt="PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def clip(images, seconds_each=1, fps=4) -> bytes:
    """An H.264 MP4 showing each image for ``seconds_each``, a keyframe at each start."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = images[0].size
        stream.pix_fmt = "yuv420p"
        stream.gop_size = fps * seconds_each
        for image in images:
            for _ in range(fps * seconds_each):
                for packet in stream.encode(av.VideoFrame.from_image(image)):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def clip_upload(images, name="clip.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, clip(images), content_type="video/mp4")
