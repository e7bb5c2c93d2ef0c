// Fullscreen for the player's own wrapper, so its overlay and messages stay visible (a fullscreen <video> shows
// only the browser's controls). Where a browser has no element fullscreen (iPhone Safari), the video's own
// fullscreen is the fallback: the caller tells the viewer what is lost there.

export function current() {
  return document.fullscreenElement || document.webkitFullscreenElement || null;
}

export function elementSupported(element) {
  const enabled = document.fullscreenEnabled || document.webkitFullscreenEnabled;
  return Boolean(enabled && (element.requestFullscreen || element.webkitRequestFullscreen));
}

export function videoOnlySupported(video) {
  return typeof video.webkitEnterFullscreen === "function";
}

// Enters fullscreen; answers how: "element", "video" (the fallback) or null (not possible here).
export async function enter(element, video) {
  if (elementSupported(element)) {
    await (element.requestFullscreen ? element.requestFullscreen() : element.webkitRequestFullscreen());
    return "element";
  }
  if (videoOnlySupported(video)) {
    video.webkitEnterFullscreen();
    return "video";
  }
  return null;
}

export async function exit() {
  if (!current()) return;
  await (document.exitFullscreen ? document.exitFullscreen() : document.webkitExitFullscreen());
}

export function onChange(handler) {
  document.addEventListener("fullscreenchange", handler);
  document.addEventListener("webkitfullscreenchange", handler);
  return () => {
    document.removeEventListener("fullscreenchange", handler);
    document.removeEventListener("webkitfullscreenchange", handler);
  };
}
