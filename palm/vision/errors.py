"""The one exception type the vision engine raises for bad input, with codes and retake tips.

Callers (pages, workers, the CLI) show ``message`` and ``tip`` and store ``code``; they never
need to catch anything else from :func:`palm.vision.pipeline.analyze_bytes`.
"""

from __future__ import annotations

from enum import StrEnum


class VisionErrorCode(StrEnum):
    """Why a photo was refused. Values are stable strings stored in the database."""

    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    CORRUPT_IMAGE = "CORRUPT_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    IMAGE_TOO_SMALL = "IMAGE_TOO_SMALL"
    ANIMATED_IMAGE = "ANIMATED_IMAGE"
    NO_HAND = "NO_HAND"
    BACK_OF_HAND = "BACK_OF_HAND"
    HAND_TOO_SMALL = "HAND_TOO_SMALL"
    PALM_CROPPED = "PALM_CROPPED"
    TOO_BLURRY = "TOO_BLURRY"
    TOO_DARK = "TOO_DARK"
    OVEREXPOSED = "OVEREXPOSED"
    INTERNAL_ERROR = "INTERNAL_ERROR"


_TEXTS: dict[VisionErrorCode, tuple[str, str]] = {
    VisionErrorCode.EMPTY_FILE: ("The file is empty.", "Choose the photo again and re-upload it."),
    VisionErrorCode.FILE_TOO_LARGE: (
        "The file is larger than allowed.",
        "Send a smaller photo, or export it as JPEG from your phone's gallery.",
    ),
    VisionErrorCode.UNSUPPORTED_FORMAT: (
        "This is not a supported photo format.",
        "Upload a JPEG, PNG, WebP or HEIC photo.",
    ),
    VisionErrorCode.CORRUPT_IMAGE: (
        "The photo could not be read; the file looks damaged or incomplete.",
        "Upload the original photo again.",
    ),
    VisionErrorCode.IMAGE_TOO_LARGE: (
        "The picture has too many pixels to process safely.",
        "Resize the photo to at most a few thousand pixels per side.",
    ),
    VisionErrorCode.IMAGE_TOO_SMALL: (
        "The picture is too small to see palm lines.",
        "Use the camera's full resolution; the short side should be at least 240 pixels.",
    ),
    VisionErrorCode.ANIMATED_IMAGE: (
        "Animated images cannot be read.",
        "Upload a single still photo of your palm.",
    ),
    VisionErrorCode.NO_HAND: (
        "No hand was found in the photo.",
        "Show your whole open hand, palm towards the camera, on a plain background.",
    ),
    VisionErrorCode.BACK_OF_HAND: (
        "This looks like the back of a hand.",
        "Turn your hand over so the palm, with its lines, faces the camera.",
    ),
    VisionErrorCode.HAND_TOO_SMALL: (
        "The hand is too small in the picture to see its lines.",
        "Move the camera closer so the hand fills most of the frame.",
    ),
    VisionErrorCode.PALM_CROPPED: (
        "Part of the palm is outside the picture.",
        "Step back a little so the whole palm, from wrist to finger bases, is in the frame.",
    ),
    VisionErrorCode.TOO_BLURRY: (
        "The photo is too blurry to see the palm lines.",
        "Hold the camera still, tap to focus on the palm, and use good light.",
    ),
    VisionErrorCode.TOO_DARK: (
        "The photo is too dark to see the palm lines.",
        "Take the photo in daylight or under a bright lamp, without the flash.",
    ),
    VisionErrorCode.OVEREXPOSED: (
        "The palm is washed out by too much light.",
        "Avoid direct sunlight and the flash; use soft, even light.",
    ),
    VisionErrorCode.INTERNAL_ERROR: (
        "The photo could not be analysed because of an internal problem.",
        "Try again later; if it keeps happening, try another photo.",
    ),
}


def default_texts(code: VisionErrorCode) -> tuple[str, str]:
    """The user-facing (message, tip) pair for a code."""
    return _TEXTS[code]


class VisionError(Exception):
    """A photo the engine refuses, with a stable ``code``, a ``message`` and a retake ``tip``."""

    def __init__(
        self, code: VisionErrorCode, message: str | None = None, tip: str | None = None
    ) -> None:
        default_message, default_tip = default_texts(code)
        self.code = code
        self.message = message or default_message
        self.tip = tip or default_tip
        super().__init__(f"{code.value}: {self.message}")

    def to_dict(self) -> dict[str, str]:
        """JSON-friendly form for jobs and the CLI."""
        return {"code": self.code.value, "message": self.message, "tip": self.tip}
