//! The tray icon's files: a Linux panel loads the icon from the PNG its `IconName` names.

use std::path::PathBuf;

use ccmeter_app::icon::{Look, image};

/// The icon files a Linux panel loads (it reads the PNG `IconName` names): one folder per app, so two
/// instances (on two databases) never overwrite each other's, and a new name for each new icon, since panels
/// cache by name.
pub struct IconFiles {
    dir: PathBuf,
    written: u64,
    last: Option<PathBuf>,
}

impl IconFiles {
    pub fn new(dir: PathBuf) -> IconFiles {
        IconFiles { dir, written: 0, last: None }
    }

    /// Writes `look`'s icon, removes the one before, and gives its path and pixels.
    pub fn write(&mut self, look: &Look) -> std::io::Result<(String, crate::status_item::Pixmap)> {
        let image = image(look);
        std::fs::create_dir_all(&self.dir)?;
        self.written += 1;
        let path = self.dir.join(format!("icon-{}.png", self.written));
        // Whole or not at all: a panel may read it the moment the item names it.
        let partial = path.with_extension("png.partial");
        std::fs::write(&partial, image.to_png()?)?;
        std::fs::rename(&partial, &path)?;
        if let Some(last) = self.last.replace(path.clone()) {
            let _ = std::fs::remove_file(last);
        }
        let pixmap = crate::status_item::Pixmap::from_rgba(image.width(), image.height(), image.rgba());
        Ok((path.display().to_string(), pixmap))
    }
}
