//! The tray icon: a gauge whose colour follows the worst budget state, or — for desktops that hide the
//! tray label — a tile in that colour with the amount drawn on it.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use ccmeter_core::budget::BudgetState;

/// An icon's pixels, RGBA rows from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Image {
    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    fn decode(png_bytes: &[u8]) -> Image {
        let decoded = (|| {
            let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().ok()?;
            let mut rgba = vec![0; reader.output_buffer_size()?];
            let info = reader.next_frame(&mut rgba).ok()?;
            rgba.truncate(info.buffer_size());
            (info.color_type == png::ColorType::Rgba).then_some(Image { width: info.width, height: info.height, rgba })
        })();
        // The gauges are this crate's own files, checked by the tests: a blank icon only if one were broken.
        decoded.unwrap_or(Image { width: SIZE, height: SIZE, rgba: vec![0; (SIZE * SIZE * 4) as usize] })
    }

    /// The icon as a PNG file's bytes.
    pub fn to_png(&self) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer.write_image_data(&self.rgba).map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)?;
        Ok(out)
    }
}

/// What the icon shows; the tray is only re-iconed when this changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look {
    pub state: BudgetState,
    /// The amount to draw, e.g. "$7.8"; `None` draws the gauge.
    pub amount: Option<String>,
}

/// Side of the icons, in pixels (the panel scales them to its height).
const SIZE: u32 = 64;
/// Margin the amount keeps from the tile's edges, in pixels.
const TEXT_MARGIN: f32 = 4.0;
const TILE_RADIUS: f32 = 13.0;

/// Only the characters `amount_text` produces; see icons/font/README.md.
static AMOUNT_FONT: &[u8] = include_bytes!("../../icons/font/amount-digits.ttf");

pub fn image(look: &Look) -> Image {
    match &look.amount {
        None => gauge(look.state),
        Some(text) => amount_tile(look.state, text),
    }
}

fn gauge(state: BudgetState) -> Image {
    static GAUGES: std::sync::OnceLock<[Image; 4]> = std::sync::OnceLock::new();
    let gauges = GAUGES.get_or_init(|| {
        [
            Image::decode(include_bytes!("../../icons/tray/template.png")),
            Image::decode(include_bytes!("../../icons/tray/ok.png")),
            Image::decode(include_bytes!("../../icons/tray/warning.png")),
            Image::decode(include_bytes!("../../icons/tray/over.png")),
        ]
    });
    match state {
        BudgetState::Ok if cfg!(target_os = "macos") => gauges[0].clone(),
        BudgetState::Ok => gauges[1].clone(),
        BudgetState::Warning => gauges[2].clone(),
        BudgetState::Over => gauges[3].clone(),
    }
}

/// The tile colour: the gauge's dark slate when all is well, its warning and over colours otherwise.
fn tile_colour(state: BudgetState) -> [u8; 3] {
    match state {
        BudgetState::Ok => [0x1f, 0x2a, 0x40],
        BudgetState::Warning => [0xd9, 0x77, 0x06],
        BudgetState::Over => [0xdc, 0x26, 0x26],
    }
}

/// An amount short enough to read in a tray icon (at most 4 characters below $10,000):
/// `$7.8`, `$12`, `$145`, `1.2k`, `12k`, `1.5M`.
pub fn amount_text(nanos: i64) -> String {
    let cents = (i128::from(nanos.max(0)) + 5_000_000) / 10_000_000;
    let dimes = (cents + 5) / 10;
    if dimes < 100 {
        return format!("${}.{}", dimes / 10, dimes % 10);
    }
    let dollars = (cents + 50) / 100;
    if dollars < 1_000 {
        return format!("${dollars}");
    }
    let tenths_of_k = (dollars + 50) / 100;
    if tenths_of_k < 100 {
        return format!("{}.{}k", tenths_of_k / 10, tenths_of_k % 10);
    }
    let thousands = (dollars + 500) / 1_000;
    if thousands < 1_000 {
        return format!("{thousands}k");
    }
    let tenths_of_m = (dollars + 50_000) / 100_000;
    if tenths_of_m < 100 {
        format!("{}.{}M", tenths_of_m / 10, tenths_of_m % 10)
    } else {
        format!("{}M", (dollars + 500_000) / 1_000_000)
    }
}

fn amount_tile(state: BudgetState, text: &str) -> Image {
    let mut rgba = vec![0u8; (SIZE * SIZE * 4) as usize];
    let [r, g, b] = tile_colour(state);
    let side = SIZE as f32;
    for y in 0..SIZE {
        for x in 0..SIZE {
            let coverage = rounded_square_coverage(x as f32 + 0.5, y as f32 + 0.5, side, TILE_RADIUS);
            let at = ((y * SIZE + x) * 4) as usize;
            rgba[at..at + 4].copy_from_slice(&[r, g, b, (coverage * 255.0).round() as u8]);
        }
    }
    if let Ok(font) = FontRef::try_from_slice(AMOUNT_FONT) {
        draw_centred(&mut rgba, &font, text);
    }
    Image { width: SIZE, height: SIZE, rgba }
}

/// How much of the pixel centred on (x, y) a square of `side` with rounded corners covers (0..=1).
fn rounded_square_coverage(x: f32, y: f32, side: f32, radius: f32) -> f32 {
    let half = side / 2.0;
    let (dx, dy) = ((x - half).abs() - (half - radius), (y - half).abs() - (half - radius));
    let outside = dx.max(0.0).hypot(dy.max(0.0)) + dx.max(dy).min(0.0) - radius;
    (0.5 - outside).clamp(0.0, 1.0)
}

/// Draws `text` in white, as large as fits the tile, centred on its digits' height.
fn draw_centred(rgba: &mut [u8], font: &FontRef<'_>, text: &str) {
    let room = SIZE as f32 - 2.0 * TEXT_MARGIN;
    let width_at = |scale: PxScale| {
        let scaled = font.as_scaled(scale);
        text.chars().map(|c| scaled.h_advance(font.glyph_id(c))).sum::<f32>()
    };
    // Digits stand on the baseline and reach cap height: centre that band, not ascent + descent.
    let cap_height = |scale: PxScale| {
        font.outline_glyph(font.glyph_id('0').with_scale_and_position(scale, point(0.0, 0.0)))
            .map_or(scale.y * 0.7, |glyph| -glyph.px_bounds().min.y)
    };
    let mut scale = PxScale::from(room);
    let width = width_at(scale);
    if width > room {
        scale = PxScale::from(room * room / width);
    }
    let width = width_at(scale);
    let baseline = (SIZE as f32 + cap_height(scale)) / 2.0;
    let mut caret = (SIZE as f32 - width) / 2.0;
    let scaled = font.as_scaled(scale);
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, point(caret, baseline));
        caret += scaled.h_advance(id);
        let Some(outlined) = font.outline_glyph(glyph) else { continue };
        let bounds = outlined.px_bounds();
        outlined.draw(|gx, gy, coverage| {
            let (x, y) = (bounds.min.x as i64 + i64::from(gx), bounds.min.y as i64 + i64::from(gy));
            if !(0..i64::from(SIZE)).contains(&x) || !(0..i64::from(SIZE)).contains(&y) {
                return;
            }
            let at = ((y as usize) * SIZE as usize + x as usize) * 4;
            let alpha = coverage.clamp(0.0, 1.0);
            for channel in &mut rgba[at..at + 3] {
                *channel = (f32::from(*channel) * (1.0 - alpha) + 255.0 * alpha).round() as u8;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CENT: i64 = 10_000_000;

    #[test]
    fn amounts_are_shortened_to_four_characters() {
        let cases = [
            (0, "$0.0"),
            (4 * CENT, "$0.0"),
            (5 * CENT, "$0.1"),
            (780 * CENT, "$7.8"),
            (994 * CENT, "$9.9"),
            (995 * CENT, "$10"),
            (1_000 * CENT, "$10"),
            (1_249 * CENT, "$12"),
            (14_550 * CENT, "$146"),
            (99_949 * CENT, "$999"),
            (99_950 * CENT, "1.0k"),
            (123_456 * CENT, "1.2k"),
            (1_234_567 * CENT, "12k"),
            (99_940_000 * CENT, "999k"),
            (99_950_000 * CENT, "1.0M"),
            (150_000_000 * CENT, "1.5M"),
            (-300 * CENT, "$0.0"),
        ];
        for (nanos, text) in cases {
            assert_eq!(amount_text(nanos), text, "{nanos} nano-dollars");
        }
    }

    #[test]
    fn every_character_of_an_amount_is_in_the_embedded_font() {
        let font = FontRef::try_from_slice(AMOUNT_FONT).expect("the embedded font parses");
        for c in "$0123456789.kM".chars() {
            assert_ne!(font.glyph_id(c).0, 0, "{c:?} has no glyph");
        }
    }

    fn pixel(image: &Image, x: u32, y: u32) -> [u8; 4] {
        let at = ((y * image.width() + x) * 4) as usize;
        image.rgba()[at..at + 4].try_into().expect("4 bytes")
    }

    #[test]
    fn the_amount_is_drawn_in_white_on_the_state_colour_inside_the_tile() {
        for state in [BudgetState::Ok, BudgetState::Warning, BudgetState::Over] {
            let image = image(&Look { state, amount: Some("$7.8".into()) });
            assert_eq!((image.width(), image.height()), (SIZE, SIZE));
            let [r, g, b] = tile_colour(state);
            assert_eq!(pixel(&image, 0, 0)[3], 0, "the rounded corner is transparent");
            assert_eq!(pixel(&image, 2, 32), [r, g, b, 255], "the tile's edge");
            let white = image.rgba().chunks(4).filter(|p| p[0] > 240 && p[1] > 240 && p[2] > 240).count();
            assert!(white > 150, "{state:?}: {white} white pixels");
            let columns: Vec<u32> = (0..SIZE)
                .filter(|x| (0..SIZE).any(|y| pixel(&image, *x, y)[0] > 240 && pixel(&image, *x, y)[1] > 240))
                .collect();
            let (first, last) = (columns[0], columns[columns.len() - 1]);
            assert!(first >= 3 && last <= SIZE - 4, "text inside the margins: {first}..{last}");
            assert!((i64::from(first) - i64::from(SIZE - 1 - last)).abs() <= 2, "centred: {first}..{last}");
        }
    }

    #[test]
    fn the_gauges_decode_and_an_icon_round_trips_through_png() {
        for state in [BudgetState::Ok, BudgetState::Warning, BudgetState::Over] {
            let gauge = image(&Look { state, amount: None });
            assert!(gauge.width() >= 16 && gauge.rgba().iter().any(|b| *b != 0), "{state:?} decodes");
            assert_eq!(Image::decode(&gauge.to_png().expect("png")), gauge);
        }
    }

    #[test]
    fn each_state_has_its_own_gauge() {
        let images: Vec<Vec<u8>> = [BudgetState::Ok, BudgetState::Warning, BudgetState::Over]
            .into_iter()
            .map(|state| image(&Look { state, amount: None }).rgba().to_vec())
            .collect();
        assert_ne!(images[0], images[1]);
        assert_ne!(images[1], images[2]);
    }
}
