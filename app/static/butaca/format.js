// Small text helpers shared by the player's modules.

// 75 -> "1:15", 3725 -> "1:02:05" (as the rest of Butaca writes times).
export function clock(seconds) {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

// Fills "{name}" placeholders of a localized string (the Python side sends its templates unfilled).
export function fill(template, params) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// A number kept between two bounds.
export function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}
