"""Every tunable number of the vision engine, in one place, each with the reason for its value.

Figures quoted here were measured on the sample photos in ``tests/data/palms`` and on variants
generated from them (see ``docs/vision.md``). Change a value here, re-run
``pytest tests/vision`` and ``bench/analyze.py``, and look at the overlays.
"""

from __future__ import annotations

# --- loading -------------------------------------------------------------------------------
#: Default upload cap. Phone photos are 2–8 MB; HEIC 1–3 MB. 20 MB leaves room for DSLR JPEGs.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Pixel cap checked on the *declared* size before decoding: 40 MP covers every phone camera
#: (48 MP sensors save 12 MP by default) while a 60000x60000 PNG bomb is refused from its header.
MAX_PIXELS = 40_000_000
#: A 240 px short side still gives ~80 px of palm width (MIN_PALM_WIDTH_PX) when the hand fills
#: the frame, the least at which the principal creases are two or more pixels wide. Was 300,
#: which refused a 294x425 webcam palm before its focus was even looked at; 224 px frames stay
#: refused (the dev set's one shows no crease).
MIN_SHORT_SIDE = 240
#: JPEGs are decoded by DCT scaling (1/2, 1/4, 1/8) at the smallest scale whose short side is
#: still at least this many pixels (libjpeg rounds scaled sizes up): a 12 MP 4000x3000 photo
#: comes in at 2000x1500 in a fraction of the full decode time (31 vs ~75 ms). Enough for a
#: 320 px palm frame; every dev-set DSLR photo (1600x1067) reads well at a shorter side still.
DRAFT_SHORT_SIDE = 1400
#: Long side of the copy MediaPipe sees. At 1024 px the palm detector found every sample; at
#: 1800 px it missed the sideways palm (its anchors prefer hands that fill the frame).
DETECT_LONG_SIDE = 1024

# --- hand detection ------------------------------------------------------------------------
#: When no rotation finds a hand, the photo is tried again zoomed out: padded by these shares of
#: its long side on every side. On the dev set 18 of 197 DSLR palms, sideways and filling the
#: frame (wrist cut by the edge), were NO_HAND; padding by 0.15 found 17 of them, and which pad
#: works for the last few varies with the photo, so several are tried (only photos with no hand
#: at any rotation pay for them: up to 16 more tries, ~0.4 s).
DETECT_PADDINGS = (0.1, 0.2, 0.3, 0.5)
#: MediaPipe Hands detection confidence. 0.3 found 40 of 42 varied real photos in the prototype
#: without detecting hands in blank or textured backgrounds.
MIN_DETECTION_CONFIDENCE = 0.3
#: Below this handedness score the appearance label alone does not call a back; the depth cue
#: (knuckles nearer the camera than the wrist) decides unless the label, unsure as it is, agrees
#: with the palm's geometry. Samples score 0.86–1.0 (the two backs 0.97–0.98); on the 207 dev
#: palms detected, label and geometry agreed on every one, the lowest scores 0.58–0.66, where
#: the depth cue alone called one a back (knuckle z -0.054). A darkened sample's label flips at
#: a low score, which is why an unsure label is never enough to call a back.
MIN_HANDEDNESS_SCORE = 0.7
#: Knuckle depth cue: mean z of the four MCP landmarks relative to the wrist (MediaPipe units,
#: negative = nearer the camera). Backs measured -0.05 … -0.16, palms -0.03 … +0.02.
BACK_KNUCKLE_Z = -0.04

# --- quality gate --------------------------------------------------------------------------
#: Palm width (index-to-pinky knuckle distance) in original-image pixels below which creases
#: are not resolvable: at 80 px a crease is ~1 px wide.
MIN_PALM_WIDTH_PX = 80
#: …or spans less than this share of the photo's long side (hand far away). Samples: 0.17–0.34.
MIN_PALM_FRACTION = 0.08
#: Fraction of the canonical palm area (frame polygon) that must lie inside the photo.
MIN_PALM_INSIDE = 0.9
#: Sharpness: 1000 × var(Laplacian) / var(lightness) inside the palm frame — a ratio, so
#: exposure and skin tone cancel. Samples 225–600; Gaussian blur of sigma 2 / 3 / 5 px (at
#: 1024 px) 42–250 / 19–130 / 7–42; darkening and JPEG quality 20 leave it unchanged. Dev set:
#: 74–980 (phone photos 85–680). Blurring ten graded DSLR palms until sharpness fell to 20–30
#: moved heart, head and life by ≤ 1 % of the palm width; two phone palms lost their life line
#: (reported not found) at 68 and 18. So photos are refused under MIN_SHARPNESS (was 60; 45
#: still refuses every sample blurred at sigma 5) and read with a "low quality" note under
#: SOFT_SHARPNESS, where faint lines may go unreported.
MIN_SHARPNESS = 45.0
SOFT_SHARPNESS = 90.0
#: Palm width in original pixels under which a read photo carries the "low quality" note too
#: (webcam frames: ~110–160 px).
SOFT_PALM_WIDTH_PX = 160
#: Median lightness (0–255, L of Lab) of the palm below which the creases drown in noise.
#: Samples: 130 (dark skin, well lit) … 204; at 25 % exposure 45–52, at 50 % 66–107.
MIN_PALM_LIGHTNESS = 60.0
#: When no hand is found, a photo whose overall median lightness is under MIN_PALM_LIGHTNESS
#: is called TOO_DARK, and one with this share of pixels at ≥ 250 OVEREXPOSED (white-background
#: samples have 0.72–0.85 there; at 1.7× exposure, where MediaPipe gives up, 0.96–0.97).
NO_HAND_CLIPPED_FRACTION = 0.93
#: Share of palm pixels at or above 250 in lightness that means blown-out highlights.
MAX_CLIPPED_FRACTION = 0.25
#: Median palm lightness above which skin texture is washed out even without clipping.
MAX_PALM_LIGHTNESS = 238.0

# --- palm frame ----------------------------------------------------------------------------
#: Side of the canonical square the palm is warped into. 256 px keeps the principal creases
#: 3–6 px wide and the tracing under the time budget.
FRAME_SIZE = 256

# --- crease strength -----------------------------------------------------------------------
#: CLAHE clip limit and tile grid for the lightness channel.
CLAHE_CLIP = 2.0
CLAHE_TILES = 4
#: Hessian valley filter scales in frame pixels. Principal creases are 3–8 px wide in the
#: 256 px frame; sigma 1.5–3.5 covers them, smaller sigmas pick up skin texture.
VALLEY_SIGMAS = (1.5, 2.5, 3.5)
#: Black-hat element for crease depth, as a fraction of the frame: wider than any crease.
DEPTH_SCALE = 0.05
#: Colour distance (Lab after a 9 px blur, L weighted by 0.5) beyond which a pixel is not the
#: palm's skin: background, sleeve, shadow. Skin across a palm varies by 5–15; creases blurred
#: by 9 px stay under 15; white and grey backgrounds measure 40+.
SKIN_COLOUR_DISTANCE = 28.0
#: Percentile of crease strength inside the palm used to normalise the map to 0–1.
STRENGTH_PERCENTILE = 99.0

# --- tracing -------------------------------------------------------------------------------
#: Cost of a pixel is (EPS + (1 - strength)) ** COST_POWER: a steep fall so that paths follow
#: creases rather than cutting across skin.
COST_EPS = 0.02
COST_POWER = 4.0

# --- found / not found ----------------------------------------------------------------------
#: The levels below were hard cuts (vision-1.0: a path was a line when it passed all four);
#: they now scale the inputs of the confidence model (see CONFIDENCE_WEIGHTS). Contrast: mean
#: strength along the path above the palm's background (median strength), in background
#: spreads (MAD). Heart/head/life on the samples score 6.7–18.6; paths forced across plain skin
#: (fate/sun/mercury where there is none) 1.5–5.
MIN_LINE_CONTRAST = 4.0
#: …and at least this mean normalised strength along the path (principal lines: 0.49–0.96).
MIN_LINE_STRENGTH = 0.35
#: Minor lines (fate, sun, mercury) are often absent, and a path through the corridor always
#: exists; they must be clearly stronger to count. Wandering texture paths measured ≤ 0.38.
MIN_MINOR_CONTRAST = 5.5
MIN_MINOR_STRENGTH = 0.45
#: The fate line's own levels (contrast, strength) in place of MIN_MINOR_*: measured on its
#: best stretch only, visible fate lines on the graded dev palms scored contrast 5.8–6.2 and
#: strength 0.42–0.46 where a palm reader sees them (hpi_train_001, _007, _043), just under
#: the minor cut; at (5.0, 0.40) 8 of the 12 graded palms showing a fate report one, 7 of
#: them on it along its length, and none reports one where there is none.
LINE_EVIDENCE_LEVELS = {"fate": (5.0, 0.40)}
#: Share of path pixels on a crease (strength ≥ PATH_SCORE_LEVEL).
MIN_COVERAGE = 0.55
#: Shortest line worth reporting, in palm widths.
MIN_LINE_LENGTH = 0.30
#: …per line where it differs: a fate line is long (0.45–0.95 on the graded dev palms); the
#: stretches of 0.30–0.40 found on the graded palms were crease fragments or skin texture.
MIN_LINE_LENGTHS = {"fate": 0.45}
#: Most a line may wind: arc length over chord. Fate lines a palm reader sees run straight
#: (1.003–1.043 on the graded dev palms); the fate paths reported where there is none zigzag
#: across creases (1.096–1.196). Two visible fate lines traced with a step or a hook
#: (1.088, 1.12) are lost with them.
MAX_WINDING = {"fate": 1.08}
#: Weakest link (vision-2.5): the least mean strength over any run of MIN_LINK_WINDOW palm
#: widths along a path, in background spreads above the palm's background (as contrast), must
#: reach MIN_LINK_CONTRAST[line]. A sun path joining a crease below the head line to the heart
#: line over plain skin is two things, not a line: the wrong suns of the dev set (graded by eye)
#: bridged skin at -0.1 … 0.53 there (hpi_train_036, _077, _118, _122, hpi_val_191, _192),
#: the graded-correct sun of hpi_train_070 stays on its faint crease at 1.23. Three wrong suns
#: (hpi_train_114, spr_140ef4ef, sriya_hand_palm3) keep a faint crease all along (1.59–2.20)
#: and are still reported. Sun only: the other lines were not graded against it.
MIN_LINK_WINDOW = 0.06
MIN_LINK_CONTRAST = {"sun": 1.0}
#: Branch detection: crease pixels this strong, in blobs of at least this many pixels.
BRANCH_STRENGTH = 0.45
BRANCH_MIN_PIXELS = 6
#: A gap is a run of path pixels, longer than this fraction of the palm width, whose strength is
#: under half the path's median: that counts as a break.
BREAK_MIN_FRACTION = 0.06
#: Cost of a pixel that is not palm skin (background, outside the photo): far above plain skin
#: (~0.9) so paths never take a short-cut round the hand's outline.
OFF_HAND_COST = 8.0
#: Cost added outside a line's template corridor, times (excess in corridor widths)²: at one
#: width outside, a pixel costs as much as ~0.7 px of plain skin, so a path may leave the
#: corridor to follow its crease a little, but not to run along a neighbouring crease.
CORRIDOR_PENALTY = 0.5
#: End-zone candidates (on-crease pixels of the zone) kept for a traceback each (~0.2 ms).
MAX_END_CANDIDATES = 24
#: Path ends are trimmed back to the first pixel with strength ≥ max(TRIM_LEVEL,
#: TRIM_FRACTION × median along the path): a line stops where its crease stops.
TRIM_LEVEL = 0.22
TRIM_FRACTION = 0.45
#: Hooks: in the last HOOK_ZONE of a path's length, a turn of more than HOOK_ANGLES[line]
#: degrees from the direction of its middle half (measured over ±HOOK_WINDOW vertices, ~2 px
#: each) ends the path there. On the dev set heart lines often rose straight into the gap
#: between index and middle finger, and life lines turned back at the wrist, to reach their end
#: zones. 60° (vision-2.1) fixed 8 life, 3 head and 2 heart lines of 77 graded palms (and lost
#: one faint life line); 50° for the heart (vision-2.2) changed 7 hearts, 2 of them for the
#: better and none for the worse; 50° for life and head too would change some 30 more lines,
#: not graded, so they keep 60°. (Trimming starts too cut head and life lines off their shared
#: start at the thumb web.) Minor lines are not trimmed: short and steep, a turn is their course.
HOOK_ZONE = 0.3
HOOK_ANGLES = {"heart": 50.0, "head": 60.0, "life": 60.0}
HOOK_WINDOW = 3
#: Lines traced as one smooth course across their corridor (palm.vision.smooth_course, vision-2.6)
#: instead of a cheapest path: on the dev set a cheapest life path stepped sideways onto a
#: parallel crease partway down on 21 of the 27 "partial" lives of 131 graded palms. A step of
#: one pixel across costs SMOOTH_STEP_COST (what ~3 px of crease at strength 0.65 gain); the
#: corridor is unrolled SMOOTH_REACH palm widths either side of the course, which runs on
#: SMOOTH_EXTEND past its end zone (the crease may; weak tails are trimmed). Step cost 0.1 left
#: the steps (the crease map itself bends there), 0.6 took most out and made a few new ones,
#: 1.0 is kept (graded: 176 of 208 lives correct against 166), 1.6 ran over skin where lives
#: curve away from the template (7 reported unlikely). Where the smooth course does not pass as
#: a line of its own the cheapest path is traced (lines._principal_path).
SMOOTH_LINES = ("life",)
SMOOTH_STEP_COST = 1.0
SMOOTH_REACH = 0.22
SMOOTH_EXTEND = 0.15
#: An end-zone candidate path scores sum(strength - PATH_SCORE_LEVEL) along it: pixels on a
#: crease (strength 0.6–1) add, plain skin (0.05–0.2) subtracts, so the chosen end is where the
#: crease really stops. 0.35 sits between the two populations on every sample.
PATH_SCORE_LEVEL = 0.35
#: Extra cost on pixels (7 px band) of an accepted principal line when tracing minor lines.
CLAIMED_COST = 3.0
#: …an 11 px band when tracing the fate line: it runs beside the life line's lower half, and
#: along the 7 px band it rode the life crease's flank (the valley filter's response is wider
#: than the crease), so a palm showing heart, head and life only reported a fate.
FATE_CLAIM_THICKNESS = 5
#: Lines measured on their best stretch of crease (the run of the path maximising
#: sum(strength - PATH_SCORE_LEVEL)) rather than from zone to zone: a fate line may start
#: anywhere between the wrist and the palm's centre and often stops at the head line. Measured
#: zone to zone instead (all else as vision-2.4), the graded dev palms missed hpi_train_043's
#: fate ("unlikely": the plain skin crossed to reach the zones) and reported fates on two
#: palms showing none (hpi_train_016: a crease inside the life line; spr_140ef4ef).
STRETCH_LINES = ("fate",)
#: Two traced paths closer than OVERLAP_DISTANCE frame px run along the same crease. A path
#: with more than MAX_SHARED_FRACTION of its points on another is a borrowed copy, not a line.
#: On the samples head and life share up to 62 % (palm_f: a long common start at the thumb
#: web); a head path borrowing a lone life crease lies ~100 % on it.
OVERLAP_DISTANCE = 3.0
MAX_SHARED_FRACTION = 0.75
#: …between two *found* minor lines (lines.minor_duplicates). With the fate line's corridor
#: beside the sun's (vision-2.4), the three dev palms reporting both had them on one crease,
#: the fate lying 62–78 % on the sun (hpi_train_070: a sun line, graded correct, rising to
#: the ring finger, and a fate along its lower part).
MAX_MINOR_SHARED_FRACTION = 0.5
#: Share of a path that must stay within half a corridor width of its corridor. Lines on the
#: samples: 0.93–1.0; a life path that chained the head line onto a fate crease: ~0.5.
MIN_CORRIDOR_ADHERENCE = 0.75

# --- confidence -----------------------------------------------------------------------------
#: Logistic model of "this path lies on a real crease" over metrics.confidence_features: the
#: logs of contrast, mean strength and coverage, each over its level above, the ratios clipped
#: to 0.05–CONFIDENCE_RATIO_CAP. Logs, so that a path with no contrast against the palm cannot
#: make up for it with strength and coverage (normalised per palm, they are high on a blank
#: palm's noise too). Fitted by bench/vision_calibrate.py on 421 graded dev lines of vision-1.0
#: (212 on a crease); its bands on those lines: under 0.2, 199 lines, none on a crease; 0.2–0.4,
#: 7, none; 0.4–0.6, 4, 75 %; 0.6–0.8, 3, 67 %; over 0.8, 208, all.
CONFIDENCE_RATIO_CAP = 2.0
CONFIDENCE_WEIGHTS = (3.161, 3.098, 2.015)
CONFIDENCE_BIAS = -1.215
#: A path is reported as a line from this confidence on (the bands above: nothing under 0.4 lay
#: on a crease). Against vision-1.0's cuts on the 71 graded photos, one line changes at 0.4 (a
#: faint life line that was not found now is, on the wrong crease); at 0.3 two minor paths over
#: plain skin would be reported too.
FOUND_CONFIDENCE = 0.4
#: A found line under this confidence is "faint": drawn thinner, and said so on hover.
FAINT_CONFIDENCE = 0.7
