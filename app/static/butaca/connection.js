// What every page does when its connection to the server drops, instead of NiceGUI's defaults:
// - Butaca's own small notice (the connection_notice component draws it; NiceGUI's English #popup is hidden by
//   butaca.css);
// - no reload while a player holds the page (setReloadGuard): NiceGUI reloads a page whose server no longer knows
//   it ("Implicit handshake failed", after a restart or a long drop). A started player needs no websocket, since its
//   video, progress and preferences are plain HTTP, so it goes on and the page just stops listening;
// - a link clicked while the server is down waits until the server answers, then opens: the browser's own error
//   page is never shown.
// One module instance per page: the notice component and the player import the same URL, so they share it.

let reloadGuard = () => false;
let notice = { lost() {}, back() {}, waiting() {}, detached() {} };
let healthUrl = "/api/health";
let pendingAction = null; // the latest click waiting for the server (an earlier one is dropped)

// `guard()` answers true while reloading the page would interrupt what the viewer is doing.
export function setReloadGuard(guard) {
  reloadGuard = guard;
}

// Installs the behaviour on NiceGUI's socket; `view` has lost(), back(), waiting() and detached().
export function install(socket, view, options = {}) {
  notice = view;
  healthUrl = options.healthUrl || healthUrl;
  takeOverConnectErrors(socket);
  socket.on("disconnect", () => notice.lost());
  socket.on("connect", () => notice.back());
  document.addEventListener("click", (event) => holdLinkWhileOffline(event, socket), true);
}

function takeOverConnectErrors(socket) {
  // NiceGUI's handler (nicegui.js, `connect_error`) reloads on a refused handshake and on a second timeout, and
  // switches to polling on a first timeout. We keep it, and call it unless a player holds the page.
  const niceguiHandlers = socket.listeners("connect_error");
  socket.off("connect_error");
  socket.on("connect_error", (error) => {
    const fatal = error.message === "Implicit handshake failed" || error.message === "timeout";
    if (fatal && pendingAction) return; // a clicked link is about to open: a reload would lose the click
    if (fatal && reloadGuard()) {
      if (error.message === "timeout") socket.io.opts.transports = ["polling", "websocket"];
      else detach(socket);
      return;
    }
    for (const handler of niceguiHandlers) handler(error);
  });
}

// The server no longer knows this page (it restarted): stop knocking, the player carries on over HTTP.
function detach(socket) {
  socket.io.reconnection(false);
  socket.disconnect();
  notice.detached();
}

function holdLinkWhileOffline(event, socket) {
  if (socket.connected || event.defaultPrevented || event.button !== 0) return;
  if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest && event.target.closest("a[href]");
  if (!link || link.target === "_blank" || link.origin !== location.origin || link.hasAttribute("download")) return;
  event.preventDefault();
  whenReachable(() => location.assign(link.href));
}

// Runs `action` (a navigation) once the server answers, trying again with backoff; only the latest one waits.
export function whenReachable(action) {
  const waiting = { action };
  pendingAction = waiting;
  let delay = 500;
  const knock = async () => {
    if (pendingAction !== waiting) return;
    try {
      const response = await fetch(healthUrl, { cache: "no-store", credentials: "same-origin" });
      if (response.ok) {
        // pendingAction stays set: until the opened page replaces this one, the socket coming back to a server that
        // no longer knows this page must not reload it over the navigation (takeOverConnectErrors).
        action();
        return;
      }
    } catch {
      // still down
    }
    notice.waiting();
    setTimeout(knock, delay);
    delay = Math.min(delay * 2, 5000);
  };
  knock();
}
