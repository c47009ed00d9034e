//! The tray on the tray item over D-Bus: the model's lines as dbusmenu nodes, the label and the icon, sent
//! only when they change.

use std::sync::Arc;

use ccmeter_app::icon::Look;
use ccmeter_app::tray::{ACTION_IDS, AlertsModel, Figures, MenuModel, TrayAction};
use ccmeter_app::window::WindowKind;
use ccmeter_core::budget::Pause;

use crate::icon_files::IconFiles;
use crate::status_item::{MenuNode, NodeKind, StatusItem};

/// Ids of the menu's informational lines and separators start here; actions have theirs from [`ACTION_IDS`].
const LINE_IDS: i32 = 1;

/// The menu as D-Bus menu nodes: the same lines in the same order as on the other platforms, ids given in
/// order (so a menu of the same shape keeps them) and actions by their fixed numbers.
pub fn menu_nodes(model: &MenuModel) -> Vec<MenuNode> {
    let mut next = LINE_IDS;
    let mut line = |label: &str, enabled: bool| {
        next += 1;
        MenuNode { id: next, label: label.to_owned(), kind: NodeKind::Item { enabled } }
    };
    let info = model.info_lines();
    let figures = model.figures.len();
    let mut nodes: Vec<MenuNode> = info[..figures].iter().map(|text| line(text, false)).collect();
    let separator = |nodes: &mut Vec<MenuNode>, n: i32| {
        nodes.push(MenuNode { id: ACTION_IDS - 10 + n, label: String::new(), kind: NodeKind::Separator });
    };
    separator(&mut nodes, 0);
    nodes.push(line(&info[figures], false));
    nodes.push(line(&info[figures + 1], false));
    separator(&mut nodes, 1);
    let action = |action: TrayAction| MenuNode {
        id: action.number(),
        label: action.text().to_owned(),
        kind: NodeKind::Item { enabled: true },
    };
    for kind in [WindowKind::Dashboard, WindowKind::History, WindowKind::Settings, WindowKind::About] {
        nodes.push(action(TrayAction::Open(kind)));
    }
    separator(&mut nodes, 2);
    match model.alerts {
        AlertsModel::Off => nodes.push(line(&info[figures + 2], false)),
        AlertsModel::Paused(_) => {
            nodes.push(line(&info[figures + 2], false));
            nodes.push(action(TrayAction::ResumeAlerts));
        }
        AlertsModel::Pausable => nodes.push(MenuNode {
            id: ACTION_IDS - 1,
            label: "Pause alerts".to_owned(),
            kind: NodeKind::Submenu(vec![
                action(TrayAction::PauseAlerts(Pause::Hour)),
                action(TrayAction::PauseAlerts(Pause::UntilTomorrow)),
            ]),
        }),
    }
    let toggle = |action: TrayAction, checked: bool| MenuNode {
        id: action.number(),
        label: action.text().to_owned(),
        kind: NodeKind::Check { checked },
    };
    nodes.push(toggle(TrayAction::ToggleAmountInIcon, model.amount_in_icon));
    nodes.push(toggle(TrayAction::ToggleStartAtLogin, model.start_at_login));
    separator(&mut nodes, 3);
    nodes.push(action(TrayAction::Quit));
    nodes
}

/// The tray as last drawn on the D-Bus item: what changed is all that is sent to the panel.
pub struct TrayView {
    item: Arc<StatusItem>,
    look: Option<Look>,
    /// The label and the tooltip.
    text: Option<(String, String)>,
    icons: IconFiles,
}

impl TrayView {
    pub fn new(item: Arc<StatusItem>, icons: IconFiles) -> TrayView {
        TrayView { item, look: None, text: None, icons }
    }

    pub async fn show(&mut self, figures: &Figures, receiver: &str) -> Result<(), Box<dyn std::error::Error>> {
        let text = (figures.label(), figures.tooltip());
        if self.text.as_ref() != Some(&text) {
            self.item.set_label(&text.0, &text.1).await?;
            self.text = Some(text);
        }
        // Sent every time: a panel toggles a check item itself when clicked, whatever was saved.
        self.item.set_menu(menu_nodes(&MenuModel::new(figures, receiver))).await?;
        let look = figures.look();
        if self.look.as_ref() != Some(&look) {
            let (path, pixmap) = self.icons.write(&look)?;
            self.item.set_icon(&path, pixmap).await?;
            self.look = Some(look);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccmeter_core::Settings;

    #[test]
    fn lines_have_no_action_and_every_node_its_own_id() {
        let ctx = ccmeter_core::TimeContext::fixed("2026-11-24T14:00:00Z".parse().expect("instant"), chrono_tz::UTC);
        let figures = Figures {
            glance: ccmeter_core::read::glance::Glance {
                active: Vec::new(),
                label: "today $1.00".into(),
                today: Default::default(),
                next_change: None,
            },
            last_data: None,
            ctx,
            settings: Settings::default(),
            budgets: Vec::new(),
            periods: Vec::new(),
            limits: Vec::new(),
            forecasts: Vec::new(),
        };
        let nodes = menu_nodes(&MenuModel::new(&figures, "Listening on …"));
        let lines: Vec<i32> =
            nodes.iter().filter(|n| matches!(n.kind, NodeKind::Item { enabled: false })).map(|n| n.id).collect();
        assert!(!lines.is_empty() && lines.iter().all(|id| TrayAction::from_number(*id).is_none()), "{lines:?}");
        let mut ids: Vec<i32> = nodes.iter().map(|n| n.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), nodes.len(), "every node has its own id");
    }
}
