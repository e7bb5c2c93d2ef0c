// Progress reports: the player's heartbeat (it keeps this screen counted, playing or paused) and its position.
//
// The rules the server and the viewer need:
// - one report in flight at a time, and the newest wins: a report still waiting is replaced by a newer one;
// - 2xx: saved. 403 {"stop": true, "detail": key}, 401 and 404: this playback may not go on (onStop(key));
//   any other 4xx: the report itself is wrong, and sending it again would not help;
// - 5xx or no answer: kept, in localStorage too (a reload or a closed tab must not lose it), and sent again with
//   backoff; once failures have lasted TROUBLE_AFTER_HEARTBEATS heartbeats the player is told, so it can say so.
// Reports kept by an earlier page (another playback) are sent once more when the next player starts.

const OUTBOX = "butaca.progress.outbox";
const BACKOFF_S = [1, 2, 4, 8, 15, 30];
const TROUBLE_AFTER_HEARTBEATS = 1.5; // a missed heartbeat is a blip; one and a half is worth telling the viewer
const ORPHAN_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const ORPHAN_TRIES = 5;
// This page's playbacks with a report on its way: kept in the outbox until answered, but not orphans (the next
// episode's player starts on the same page while the last one's report is still travelling).
const inFlight = new Set();

// ---------------------------------------------------------------- the outbox in localStorage

function readOutbox() {
  try {
    return JSON.parse(localStorage.getItem(OUTBOX)) || {};
  } catch {
    return {}; // storage refused (private mode) or damaged: nothing kept
  }
}

function writeOutbox(box) {
  try {
    if (Object.keys(box).length) localStorage.setItem(OUTBOX, JSON.stringify(box));
    else localStorage.removeItem(OUTBOX);
  } catch {
    // storage full or refused: the report is still retried while this page lives
  }
}

function keep(id, entry) {
  const box = readOutbox();
  box[id] = entry;
  writeOutbox(box);
}

function forget(id) {
  const box = readOutbox();
  if (id in box) {
    delete box[id];
    writeOutbox(box);
  }
}

// The position of the newest unsent report about `mediaKey` (a film or an episode), or null.
export function pendingPosition(mediaKey) {
  const entries = Object.values(readOutbox()).filter((e) => e.mediaKey === mediaKey && !e.ended);
  entries.sort((a, b) => b.at - a.at);
  return entries.length && Number.isFinite(entries[0].position) ? entries[0].position : null;
}

// ---------------------------------------------------------------- sending

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    keepalive: true,
    headers: { "Content-Type": "text/plain" }, // as sendBeacon sends it: no CORS preflight, one server parser
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  return { status: response.status, data };
}

// What an answer means for the report: "saved", "stop" (with the message key), "drop" or "retry".
export function outcome(status, data) {
  if (status >= 200 && status < 300) return { kind: "saved" };
  if (status === 403) return { kind: "stop", key: (data && data.detail) || "watch.session_ended" };
  if (status === 401 || status === 404) return { kind: "stop", key: "watch.session_ended" };
  if (status === 408 || status === 429 || status >= 500) return { kind: "retry" };
  return { kind: "drop" };
}

async function attempt(url, body) {
  try {
    const { status, data } = await post(url, body);
    return outcome(status, data);
  } catch {
    return { kind: "retry" }; // no answer at all: network down or server restarting
  }
}

function delayFor(failures) {
  const base = BACKOFF_S[Math.min(failures, BACKOFF_S.length) - 1];
  return base * 1000 * (0.75 + Math.random() * 0.5); // jitter: players cut off together do not return together
}

// Reports an earlier page could not deliver, sent again (except the current playback's own).
export function resendOrphans(exceptId) {
  for (const [id, entry] of Object.entries(readOutbox())) {
    if (id === exceptId || inFlight.has(id)) continue;
    if (Date.now() - entry.at > ORPHAN_MAX_AGE_MS) {
      forget(id);
      continue;
    }
    resendOrphan(id, entry, 1);
  }
}

async function resendOrphan(id, entry, tries) {
  const result = await attempt(entry.url, entry.body);
  if (result.kind !== "retry")
    forget(id); // saved, or refused for good (a stopped playback answers 403)
  else if (tries < ORPHAN_TRIES) setTimeout(() => resendOrphan(id, entry, tries + 1), delayFor(tries));
}

// ---------------------------------------------------------------- one playback's reporter

export class Reporter {
  // options: {id, mediaKey, url, token, everySeconds, position() -> seconds|null, played() -> seconds really
  //           played in this playback, onStop(key), onTrouble(bool)}
  constructor(options) {
    this.options = options;
    this.waiting = null; // the newest report not sent yet
    this.sending = false;
    this.failures = 0;
    this.failingSince = null;
    this.retryTimer = null;
    this.heartbeat = null;
    this.halted = false;
    this.retryNow = this.retryNow.bind(this);
  }

  every() {
    return Math.max(1, this.options.everySeconds || 10) * 1000;
  }

  start() {
    this.heartbeat = setInterval(() => this.report(), this.every());
    window.addEventListener("online", this.retryNow);
  }

  // `over`: the next playback began on this page. The server stopped this one when it did (one device plays one
  // thing), so nothing of it is worth keeping for a later page: a report waiting to be sent is dropped, and the
  // outbox entry goes now, or when the report still travelling is answered.
  halt({ over = false } = {}) {
    this.halted = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retryTimer);
    window.removeEventListener("online", this.retryNow);
    if (!over) return;
    this.over = true;
    this.waiting = null;
    if (!this.sending) forget(this.options.id);
  }

  // `seq` numbers this playback's reports in the order they were made: two requests in flight at once (a
  // heartbeat and the leaving beacon) may arrive in either order, and the server can keep the newest by it.
  make({ ended = false, leaving = false } = {}) {
    const position = this.options.position();
    this.seq = (this.seq || 0) + 1;
    const played = this.options.played ? this.options.played() : null;
    const fields = { position, played, ended, leaving, seq: this.seq };
    if (this.options.token) fields.token = this.options.token;
    return {
      url: this.options.url,
      body: JSON.stringify(fields),
      mediaKey: this.options.mediaKey,
      position,
      ended,
      at: Date.now(),
    };
  }

  // Queues a report of the current position; it replaces any report still waiting.
  report({ ended = false } = {}) {
    if (this.halted || this.left) return;
    this.waiting = this.make({ ended });
    keep(this.options.id, this.waiting);
    this.pump();
  }

  // For the page going hidden or away: the browser delivers a beacon even while the page is being closed.
  // After the leaving one, nothing more is sent: the browser pauses the video of a closing page, and that pause's
  // report would otherwise follow the leaving report and count the screen again.
  beacon({ leaving = false } = {}) {
    if (this.halted || this.left) return;
    this.left = leaving;
    const report = this.make({ leaving });
    const queued =
      navigator.sendBeacon && navigator.sendBeacon(report.url, new Blob([report.body], { type: "text/plain" }));
    // A beacon's delivery is never confirmed: while reports are failing, keep this one for the next page too.
    // Otherwise it is the newest word on this playback: an older report still kept (one in flight as the page
    // closes) must not be sent again by the next page, after it.
    if (!queued || this.failures > 0) keep(this.options.id, report);
    else forget(this.options.id);
  }

  // The page came back from the back/forward cache after leaving: it reports again.
  back() {
    this.left = false;
    this.report();
  }

  async pump() {
    if (this.sending || this.retryTimer || !this.waiting || this.halted || this.left) return;
    const report = this.waiting;
    this.waiting = null;
    this.sending = true;
    inFlight.add(this.options.id);
    const result = await attempt(report.url, report.body);
    inFlight.delete(this.options.id);
    this.sending = false;
    if (this.halted) {
      // Halted while it was on its way (the next episode began, the page's player went): an answered report is not
      // kept for the next page, which would send it again for a playback that is over (and be refused).
      if (this.over || (result.kind !== "retry" && !this.waiting)) forget(this.options.id);
      return;
    }
    if (result.kind === "retry") {
      this.waiting = this.waiting || report; // a newer report made meanwhile wins
      this.failed();
      return;
    }
    this.recovered();
    if (result.kind === "stop") {
      forget(this.options.id);
      this.halt();
      this.options.onStop(result.key);
      return;
    }
    if (!this.waiting) forget(this.options.id);
    this.pump();
  }

  failed() {
    this.failures += 1;
    this.failingSince = this.failingSince || Date.now();
    if (Date.now() - this.failingSince >= TROUBLE_AFTER_HEARTBEATS * this.every()) this.options.onTrouble(true);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, delayFor(this.failures));
  }

  recovered() {
    if (!this.failures) return;
    this.failures = 0;
    this.failingSince = null;
    this.options.onTrouble(false);
  }

  // The browser says the network is back: no need to wait for the backoff.
  retryNow() {
    if (!this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.pump();
  }
}
