//! The tray item as the freedesktop StatusNotifierItem protocol has it, over D-Bus with zbus and nothing else:
//! no GTK, no libappindicator. It exports what Ubuntu's panel (the AppIndicator extension), KDE and the
//! other SNI hosts read — the item at `/org/ayatana/NotificationItem/<id>` with its icon (a PNG path in
//! `IconName`, as libappindicator gives it, and the pixels in `IconPixmap`), its tooltip and the
//! `XAyatanaLabel` beside the icon — and its menu as `com.canonical.dbusmenu` at `/MenuBar`.
//!
//! The item registers with the `org.kde.StatusNotifierWatcher` when one runs, and again whenever a new one
//! appears (a panel restarting); without one (a bare X session, the tests) it still serves both objects, so
//! a host that starts later, or a test, finds it on the bus.

use std::collections::HashMap;
use std::sync::Arc;

use futures_lite::StreamExt;
use serde::Serialize;
use zbus::object_server::SignalEmitter;
use zbus::{Connection, ObjectPath, OwnedObjectPath, OwnedVariant, Type, Variant, interface};

/// Where the menu is served.
const MENU_PATH: &str = "/MenuBar";
const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// One line of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuNode {
    /// Unique in the menu, above 0 (0 is the root).
    pub id: i32,
    pub label: String,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A line that can be clicked, or (disabled) a line of text.
    Item {
        enabled: bool,
    },
    Check {
        checked: bool,
    },
    Separator,
    Submenu(Vec<MenuNode>),
}

/// An icon as ARGB32 pixels in network byte order, as `IconPixmap` carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
pub struct Pixmap {
    pub width: i32,
    pub height: i32,
    pub argb: Vec<u8>,
}

impl Pixmap {
    /// From RGBA rows, as the icon is drawn.
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Pixmap {
        let argb = rgba.chunks_exact(4).flat_map(|p| [p[3], p[0], p[1], p[2]]).collect();
        Pixmap { width: width as i32, height: height as i32, argb }
    }
}

/// What a click on a menu line asks for, by its id.
pub type OnClick = Arc<dyn Fn(i32) + Send + Sync>;

/// The item on the bus; dropping it closes the connection and the item goes away.
pub struct StatusItem {
    conn: Connection,
    path: OwnedObjectPath,
}

struct Item {
    label: String,
    tooltip: String,
    icon_path: String,
    icon: Pixmap,
}

/// The tooltip as SNI has it: icon name, icon pixmaps, title, text.
type ToolTip = (String, Vec<Pixmap>, String, String);

#[interface(name = "org.kde.StatusNotifierItem")]
impl Item {
    #[zbus(property)]
    fn category(&self) -> &str {
        "ApplicationStatus"
    }

    #[zbus(property)]
    fn id(&self) -> &str {
        "ccmeter"
    }

    #[zbus(property)]
    fn title(&self) -> &str {
        "ccmeter"
    }

    #[zbus(property)]
    fn status(&self) -> &str {
        "Active"
    }

    #[zbus(property)]
    fn window_id(&self) -> i32 {
        0
    }

    #[zbus(property)]
    fn icon_theme_path(&self) -> &str {
        ""
    }

    #[zbus(property)]
    fn icon_name(&self) -> &str {
        &self.icon_path
    }

    #[zbus(property)]
    fn icon_pixmap(&self) -> Vec<Pixmap> {
        vec![self.icon.clone()]
    }

    #[zbus(property)]
    fn overlay_icon_name(&self) -> &str {
        ""
    }

    #[zbus(property)]
    fn attention_icon_name(&self) -> &str {
        ""
    }

    #[zbus(property)]
    fn attention_movie_name(&self) -> &str {
        ""
    }

    #[zbus(property)]
    fn tool_tip(&self) -> ToolTip {
        (String::new(), Vec::new(), "ccmeter".to_owned(), self.tooltip.clone())
    }

    /// The menu is the item's only action: a click opens it.
    #[zbus(property)]
    fn item_is_menu(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn menu(&self) -> OwnedObjectPath {
        ObjectPath::from_static_str_unchecked(MENU_PATH).into()
    }

    #[zbus(property, name = "XAyatanaLabel")]
    fn x_ayatana_label(&self) -> &str {
        &self.label
    }

    #[zbus(property, name = "XAyatanaLabelGuide")]
    fn x_ayatana_label_guide(&self) -> &str {
        ""
    }

    #[zbus(property, name = "XAyatanaOrderingIndex")]
    fn x_ayatana_ordering_index(&self) -> u32 {
        0
    }

    fn activate(&self, _x: i32, _y: i32) {}

    fn secondary_activate(&self, _x: i32, _y: i32) {}

    fn context_menu(&self, _x: i32, _y: i32) {}

    fn scroll(&self, _delta: i32, _orientation: &str) {}

    fn provide_xdg_activation_token(&self, _token: &str) {}

    #[zbus(signal)]
    async fn new_icon(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn new_tool_tip(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal, name = "XAyatanaNewLabel")]
    async fn x_ayatana_new_label(emitter: &SignalEmitter<'_>, label: &str, guide: &str) -> zbus::Result<()>;
}

/// A menu node as dbusmenu lays it out: `(ia{sv}av)`, the children as variants of the same.
#[derive(Debug, Serialize, Type, Variant, OwnedVariant)]
struct Layout {
    id: i32,
    properties: HashMap<String, OwnedVariant>,
    children: Vec<OwnedVariant>,
}

struct Menu {
    nodes: Vec<MenuNode>,
    revision: u32,
    on_click: OnClick,
}

fn owned(value: Variant<'_>) -> OwnedVariant {
    value.try_into_owned().expect("plain values have no file descriptors")
}

/// A node's dbusmenu properties (only those that differ from the defaults, as the spec asks).
fn properties(node: &MenuNode) -> HashMap<String, OwnedVariant> {
    let mut props = HashMap::new();
    let mut put = |name: &str, value: Variant<'_>| {
        props.insert(name.to_owned(), owned(value));
    };
    match &node.kind {
        NodeKind::Separator => put("type", Variant::from("separator")),
        NodeKind::Item { enabled } => {
            put("label", Variant::from(node.label.as_str()));
            if !enabled {
                put("enabled", Variant::from(false));
            }
        }
        NodeKind::Check { checked } => {
            put("label", Variant::from(node.label.as_str()));
            put("toggle-type", Variant::from("checkmark"));
            put("toggle-state", Variant::from(i32::from(*checked)));
        }
        NodeKind::Submenu(_) => {
            put("label", Variant::from(node.label.as_str()));
            put("children-display", Variant::from("submenu"));
        }
    }
    props
}

fn children_of(node: &MenuNode) -> &[MenuNode] {
    match &node.kind {
        NodeKind::Submenu(children) => children,
        _ => &[],
    }
}

fn find(nodes: &[MenuNode], id: i32) -> Option<&MenuNode> {
    nodes.iter().find_map(|node| if node.id == id { Some(node) } else { find(children_of(node), id) })
}

/// The layout of `children` under `id`, `depth` levels down (-1: all), with only `names` (empty: all).
fn layout(
    id: i32,
    props: HashMap<String, OwnedVariant>,
    children: &[MenuNode],
    depth: i32,
    names: &[String],
) -> Layout {
    let filter = |mut props: HashMap<String, OwnedVariant>| {
        if !names.is_empty() {
            props.retain(|name, _| names.contains(name));
        }
        props
    };
    let children = if depth == 0 {
        Vec::new()
    } else {
        children
            .iter()
            .map(|child| {
                let node = layout(child.id, filter(properties(child)), children_of(child), depth - 1, names);
                OwnedVariant::try_from(node).expect("a layout is a plain structure")
            })
            .collect()
    };
    Layout { id, properties: filter(props), children }
}

#[interface(name = "com.canonical.dbusmenu")]
impl Menu {
    #[zbus(property)]
    fn version(&self) -> u32 {
        3
    }

    #[zbus(property)]
    fn text_direction(&self) -> &str {
        "ltr"
    }

    #[zbus(property)]
    fn status(&self) -> &str {
        "normal"
    }

    #[zbus(property)]
    fn icon_theme_path(&self) -> Vec<String> {
        Vec::new()
    }

    #[zbus(out_args("revision", "layout"))]
    fn get_layout(
        &self,
        parent_id: i32,
        recursion_depth: i32,
        property_names: Vec<String>,
    ) -> zbus::fdo::Result<(u32, Layout)> {
        if parent_id == 0 {
            let root = HashMap::from([("children-display".to_owned(), owned(Variant::from("submenu")))]);
            return Ok((self.revision, layout(0, root, &self.nodes, recursion_depth, &property_names)));
        }
        let node = find(&self.nodes, parent_id)
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no menu item {parent_id}")))?;
        Ok((self.revision, layout(node.id, properties(node), children_of(node), recursion_depth, &property_names)))
    }

    fn get_group_properties(
        &self,
        ids: Vec<i32>,
        property_names: Vec<String>,
    ) -> Vec<(i32, HashMap<String, OwnedVariant>)> {
        ids.into_iter()
            .filter_map(|id| find(&self.nodes, id))
            .map(|node| {
                let mut props = properties(node);
                if !property_names.is_empty() {
                    props.retain(|name, _| property_names.contains(name));
                }
                (node.id, props)
            })
            .collect()
    }

    fn get_property(&self, id: i32, name: &str) -> zbus::fdo::Result<OwnedVariant> {
        let node = find(&self.nodes, id).ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no menu item {id}")))?;
        properties(node)
            .remove(name)
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("menu item {id} has no {name}")))
    }

    /// A click: an id the menu no longer has (it was rebuilt since the panel read it) is refused, so the panel
    /// reads the layout again.
    fn event(&self, id: i32, event_id: &str, _data: OwnedVariant, _timestamp: u32) -> zbus::fdo::Result<()> {
        let node = find(&self.nodes, id).ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no menu item {id}")))?;
        if event_id == "clicked" && !matches!(node.kind, NodeKind::Item { enabled: false } | NodeKind::Separator) {
            (self.on_click)(id);
        }
        Ok(())
    }

    fn event_group(&self, events: Vec<(i32, String, OwnedVariant, u32)>) -> Vec<i32> {
        let mut unknown = Vec::new();
        for (id, event_id, data, timestamp) in events {
            if self.event(id, &event_id, data, timestamp).is_err() {
                unknown.push(id);
            }
        }
        unknown
    }

    fn about_to_show(&self, _id: i32) -> bool {
        false
    }

    #[zbus(out_args("updates_needed", "id_errors"))]
    fn about_to_show_group(&self, ids: Vec<i32>) -> (Vec<i32>, Vec<i32>) {
        let errors = ids.into_iter().filter(|id| *id != 0 && find(&self.nodes, *id).is_none()).collect();
        (Vec::new(), errors)
    }

    #[zbus(signal)]
    async fn layout_updated(emitter: &SignalEmitter<'_>, revision: u32, parent: i32) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn items_properties_updated(
        emitter: &SignalEmitter<'_>,
        updated: Vec<(i32, HashMap<String, OwnedVariant>)>,
        removed: Vec<(i32, Vec<String>)>,
    ) -> zbus::Result<()>;
}

/// Every node, submenus' included, in menu order.
fn flatten(nodes: &[MenuNode]) -> Vec<&MenuNode> {
    nodes.iter().flat_map(|node| std::iter::once(node).chain(flatten(children_of(node)))).collect()
}

/// Two menus with the same ids in the same places differ only in properties.
fn same_shape(a: &[MenuNode], b: &[MenuNode]) -> bool {
    let (a, b) = (flatten(a), flatten(b));
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x.id == y.id && std::mem::discriminant(&x.kind) == std::mem::discriminant(&y.kind))
}

impl StatusItem {
    /// Puts the item and its menu on the session bus as `id`, and registers it with the panel's watcher (now
    /// and whenever a watcher appears).
    pub async fn start(id: &str, label: &str, on_click: OnClick) -> zbus::Result<StatusItem> {
        let path = OwnedObjectPath::try_from(format!("/org/ayatana/NotificationItem/{id}"))?;
        let item =
            Item { label: label.to_owned(), tooltip: String::new(), icon_path: String::new(), icon: Pixmap::default() };
        let menu = Menu { nodes: Vec::new(), revision: 1, on_click };
        let conn = zbus::connection::Builder::session()
            .serve_at(path.as_ref(), item)
            .serve_at(MENU_PATH, menu)
            .build()
            .await?;
        // The name SNI hosts expect of an item (the spec's `org.kde.StatusNotifierItem-<pid>-<n>`).
        let name = format!("org.kde.StatusNotifierItem-{}-1", std::process::id());
        if let Err(error) = conn.request_name(name.as_str()).await {
            tracing::warn!(%error, "cannot take the tray item's bus name");
        }
        let status = StatusItem { conn, path };
        status.keep_registered();
        Ok(status)
    }

    /// Registers with the watcher now, and again each time one takes the watcher's name.
    fn keep_registered(&self) {
        let conn = self.conn.clone();
        let path = self.path.clone();
        tokio::spawn(async move {
            register(&conn, &path).await;
            let Ok(bus) = zbus::fdo::DBusProxy::new(&conn).await else { return };
            let Ok(mut changes) = bus.receive_name_owner_changed_with_args(&[(0, WATCHER)]).await else { return };
            while let Some(change) = changes.next().await {
                if change.args().is_ok_and(|args| args.new_owner().is_some()) {
                    register(&conn, &path).await;
                }
            }
        });
    }

    async fn item(&self) -> zbus::Result<zbus::object_server::InterfaceRef<Item>> {
        self.conn.object_server().interface::<_, Item>(self.path.as_ref()).await
    }

    async fn menu(&self) -> zbus::Result<zbus::object_server::InterfaceRef<Menu>> {
        self.conn.object_server().interface::<_, Menu>(MENU_PATH).await
    }

    pub async fn set_label(&self, label: &str, tooltip: &str) -> zbus::Result<()> {
        let item = self.item().await?;
        {
            let mut state = item.get_mut().await;
            state.label = label.to_owned();
            state.tooltip = tooltip.to_owned();
        }
        let emitter = item.signal_emitter();
        item.get().await.x_ayatana_label_changed(emitter).await?;
        Item::x_ayatana_new_label(emitter, label, "").await?;
        Item::new_tool_tip(emitter).await
    }

    /// The icon: `path` a PNG file of it (what Ubuntu's panel loads), `pixmap` its pixels (what KDE draws).
    pub async fn set_icon(&self, path: &str, pixmap: Pixmap) -> zbus::Result<()> {
        let item = self.item().await?;
        {
            let mut state = item.get_mut().await;
            state.icon_path = path.to_owned();
            state.icon = pixmap;
        }
        let emitter = item.signal_emitter();
        item.get().await.icon_name_changed(emitter).await?;
        Item::new_icon(emitter).await
    }

    /// Shows `nodes`: a menu of the same shape is updated line by line (a menu the user has open stays open),
    /// another one is laid out anew.
    pub async fn set_menu(&self, nodes: Vec<MenuNode>) -> zbus::Result<()> {
        let menu = self.menu().await?;
        let emitter = menu.signal_emitter();
        let mut state = menu.get_mut().await;
        if same_shape(&state.nodes, &nodes) {
            let updated: Vec<(i32, HashMap<String, OwnedVariant>)> = flatten(&nodes)
                .into_iter()
                .zip(flatten(&state.nodes))
                .filter(|(new, old)| new != old)
                .map(|(new, _)| (new.id, properties(new)))
                .collect();
            state.nodes = nodes;
            if !updated.is_empty() {
                Menu::items_properties_updated(emitter, updated, Vec::new()).await?;
            }
            return Ok(());
        }
        state.nodes = nodes;
        state.revision += 1;
        let revision = state.revision;
        drop(state);
        Menu::layout_updated(emitter, revision, 0).await
    }
}

async fn register(conn: &Connection, path: &OwnedObjectPath) {
    let result = conn
        .call_method(
            Some(WATCHER),
            "/StatusNotifierWatcher",
            Some(WATCHER),
            "RegisterStatusNotifierItem",
            &(path.as_str(),),
        )
        .await;
    match result {
        Ok(_) => tracing::info!("tray item registered with the panel"),
        // No panel (a bare X session, the tests): the item stays on the bus for one to find.
        Err(error) => tracing::info!(%error, "no StatusNotifierWatcher to register the tray item with"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i32, label: &str) -> MenuNode {
        MenuNode { id, label: label.to_owned(), kind: NodeKind::Item { enabled: true } }
    }

    #[test]
    fn a_menu_of_the_same_shape_changes_only_its_lines() {
        let before = vec![item(1, "Today $1.00"), MenuNode { id: 2, label: String::new(), kind: NodeKind::Separator }];
        let after = vec![item(1, "Today $2.00"), MenuNode { id: 2, label: String::new(), kind: NodeKind::Separator }];
        assert!(same_shape(&before, &after));
        let more = vec![item(1, "Today $2.00"), item(3, "Active session")];
        assert!(!same_shape(&before, &more));
        let nested = vec![MenuNode { id: 4, label: "Pause".into(), kind: NodeKind::Submenu(vec![item(5, "1 hour")]) }];
        assert_eq!(find(&nested, 5).map(|n| n.label.as_str()), Some("1 hour"));
        assert_eq!(flatten(&nested).len(), 2);
    }

    #[test]
    fn pixels_go_to_argb_in_network_order() {
        let pixmap = Pixmap::from_rgba(1, 1, &[0x11, 0x22, 0x33, 0xff]);
        assert_eq!(pixmap.argb, [0xff, 0x11, 0x22, 0x33]);
    }
}
