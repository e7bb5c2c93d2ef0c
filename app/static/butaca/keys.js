// The player's keyboard shortcuts: one table, read both by the key handler and by the "?" help panel, so the
// help can never list a key that does nothing. `label` is a key of the localized messages.

export const SHORTCUTS = [
  { keys: [" ", "k"], shown: ["Space", "K"], action: "togglePlay", label: "player.key_play" },
  { keys: ["arrowleft", "j"], shown: ["←", "J"], action: "rewind", label: "player.key_rewind" },
  { keys: ["arrowright", "l"], shown: ["→", "L"], action: "forward", label: "player.key_forward" },
  { keys: ["arrowup"], shown: ["↑"], action: "volumeUp", label: "player.key_volume_up" },
  { keys: ["arrowdown"], shown: ["↓"], action: "volumeDown", label: "player.key_volume_down" },
  { keys: ["m"], shown: ["M"], action: "toggleMute", label: "player.key_mute" },
  { keys: ["f"], shown: ["F"], action: "toggleFullscreen", label: "player.key_fullscreen" },
  { keys: ["c"], shown: ["C"], action: "cycleSubtitles", label: "player.key_subtitles" },
  { keys: ["n"], shown: ["N"], action: "playNext", label: "player.key_next" },
  { keys: ["escape"], shown: ["Esc"], action: "escape", label: "player.key_escape" },
  { keys: ["?"], shown: ["?"], action: "toggleHelp", label: "player.key_help" },
];

const BY_KEY = new Map(SHORTCUTS.flatMap((shortcut) => shortcut.keys.map((key) => [key, shortcut.action])));

// The action a key press asks for, or null. Shortcuts never take a key with Ctrl, Alt or Cmd (browser keys).
export function actionFor(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  return BY_KEY.get(event.key.toLowerCase()) || null;
}

// True when the key belongs to the focused control itself: a button's Space/Enter, a slider's arrows, typing.
export function ownedByTarget(event) {
  const target = event.target;
  const tag = (target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable) return true;
  const key = event.key.toLowerCase();
  if ((tag === "button" || tag === "a") && (key === " " || key === "enter")) return true;
  const role = target.getAttribute && target.getAttribute("role");
  return role === "slider" && key.startsWith("arrow");
}
