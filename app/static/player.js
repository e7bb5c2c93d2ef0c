// Butaca's player: resume, progress reports (every 10 s, also while paused: they are the heartbeat that keeps the
// screen; on pause, seek and end; by sendBeacon when the page is hidden or left), keyboard shortcuts, and stopping
// when the server says this playback may not go on. The playback token is in cfg.progressUrl.
window.butacaPlayer = function (video, cfg) {
  let ready = false; // true once the resume seek is done: before that, currentTime is not a real position
  let stopped = false;
  let timer = null;
  let played = 0; // seconds really played in this playback (the history counts from 30 s or 5 %)
  let lastTime = null;
  const status = document.getElementById(cfg.statusId);

  function say(text) {
    if (status) { status.textContent = text; status.style.display = 'block'; }
  }

  function stop(detail) {
    stopped = true;
    clearInterval(timer);
    video.pause();
    video.removeAttribute('src');
    video.load();
    say(cfg.messages[detail] || cfg.messages['watch.stopped_plan']);
  }

  function send(ended, beacon, leaving) {
    if (stopped || (!ready && !leaving)) return;
    // Before the resume seek is done (or after a failed load) there is no real position: report none.
    const position = ready ? video.currentTime : null;
    const body = JSON.stringify({position, played, ended: !!ended, leaving: !!leaving});
    if (beacon && navigator.sendBeacon) {
      navigator.sendBeacon(cfg.progressUrl, new Blob([body], {type: 'text/plain'}));
      return;
    }
    fetch(cfg.progressUrl, {method: 'POST', body, keepalive: true, credentials: 'same-origin',
                            headers: {'Content-Type': 'text/plain'}})
      .then((response) => { if (response.status === 403) response.json().then((data) => stop(data.detail)); })
      .catch(() => {});
  }

  function onMetadata() {
    if (cfg.resume > 0 && cfg.resume < video.duration - 1) {
      video.addEventListener('seeked', () => { ready = true; }, {once: true});
      video.currentTime = cfg.resume;
    } else {
      ready = true;
    }
  }
  if (video.readyState >= 1) onMetadata(); else video.addEventListener('loadedmetadata', onMetadata, {once: true});

  timer = setInterval(() => send(false), 10000);
  video.addEventListener('timeupdate', () => {
    const now = video.currentTime;
    if (!video.paused && lastTime !== null && now > lastTime && now - lastTime < 2) played += now - lastTime;
    lastTime = now;
  });
  video.addEventListener('seeking', () => { lastTime = null; });
  video.addEventListener('pause', () => { if (!video.ended) send(false); });
  video.addEventListener('seeked', () => { if (!video.paused) send(false); });
  video.addEventListener('ended', () => send(true));
  video.addEventListener('error', () => { if (!stopped) { ready = false; say(cfg.messages['watch.load_error']); } });
  // Hidden (tab switched, phone locked, tab closing): save now, as the page may never run again. The screen stays
  // taken (a video may play on in a background tab); a phone that sleeps stops its heartbeat and frees it.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') send(false, true, false);
  });
  window.addEventListener('pagehide', () => send(false, true, true));

  document.addEventListener('keydown', (event) => {
    const tag = (event.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || event.ctrlKey || event.metaKey || event.altKey || stopped) return;
    const key = event.key.toLowerCase();
    if (key === ' ' || key === 'k') { video.paused ? video.play() : video.pause(); }
    else if (key === 'arrowleft') { video.currentTime = Math.max(0, video.currentTime - 10); }
    else if (key === 'arrowright') { video.currentTime = Math.min(video.duration || 0, video.currentTime + 10); }
    else if (key === 'f') { document.fullscreenElement ? document.exitFullscreen() : video.requestFullscreen(); }
    else if (key === 'm') { video.muted = !video.muted; }
    else return;
    event.preventDefault();
  }, true);

  window.butacaStartOver = () => { video.currentTime = 0; video.play(); };
};
