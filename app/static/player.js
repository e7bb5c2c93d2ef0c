// Butaca's player: a Vue component that NiceGUI mounts (app/components/player.py), drawing its own overlay over a
// <video>, inside one wrapper that is also what goes fullscreen, so every control and message stays visible there.
//
// It lives in two steps. At page load it has only its `shell` (title, poster, back link, every localized text) and
// shows a spinner: opening the page changes nothing on the server. Once the page's websocket is up, the Python side
// starts a playback and hands over the `playback` config (sources, progress URL, subtitles, markers...), or a
// `refusal` (too many screens). From then on the player needs no websocket: video, progress and preferences are
// plain HTTP to the URLs of its config, so it goes on through server blips and restarts.
//
// The pieces that are not about drawing live in butaca/*.js: progress reports (with their localStorage outbox),
// keyboard shortcuts, trickplay tiles, fullscreen, touch gestures, the connection guard.
import { whenReachable, setReloadGuard } from "butaca/connection.js";
import { clamp, clock, fill } from "butaca/format.js";
import { enter as enterFullscreen, exit as exitFullscreen, current as fullscreenElement } from "butaca/fullscreen.js";
import { elementSupported, onChange as onFullscreenChange, videoOnlySupported } from "butaca/fullscreen.js";
import { touchTaps } from "butaca/gestures.js";
import { SHORTCUTS, actionFor, ownedByTarget } from "butaca/keys.js";
import { Reporter, pendingPosition, resendOrphans } from "butaca/progress.js";
import { preload as preloadTrickplay, tileAt, tileStyle } from "butaca/trickplay.js";

const SKIP_S = 10;
const HIDE_OVERLAY_MS = 3000;
const RESUME_NOTICE_MS = 8000;
const NEXT_COUNTDOWN_S = 10;
const CREDITS_FALLBACK_S = 15; // without a credits marker, the next-episode offer comes this long before the end
const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
const RECOVERY_TRIES = 8; // 1 + 2 + 4 + 8 + 15 × 4 s: a minute of trying
const LAST_POSITION = "butaca.player.last"; // sessionStorage: where this tab was, for a reload to resume in place
const AUTOPLAY_CHAIN = "butaca.player.chain"; // sessionStorage: episodes started by the countdown, no input since
const DEVICE_PREFS = "butaca.player.prefs"; // localStorage: volume, mute, subtitles when the account says nothing

// What a message offers, by its key: the first action is the main one (and gets the focus).
const MESSAGE_ACTIONS = {
  "watch.stopped_elsewhere": ["browse"],
  "watch.stopped_plan": ["upgrade", "browse"],
  "watch.screens_full": ["stopOthers", "browse"],
  "watch.session_ended": ["browse"],
  "watch.load_error": ["retry", "browse"],
  "player.hd_locked": ["upgrade", "dismiss"],
};
const MESSAGE_ICONS = {
  "watch.stopped_elsewhere": "devices",
  "watch.stopped_plan": "workspace_premium",
  "watch.screens_full": "devices",
  "watch.session_ended": "timer_off",
  "watch.load_error": "error_outline",
  "player.hd_locked": "workspace_premium",
};

// When the server names only a key, these say it without the numbers its page text has ({used} of {limit}).
const KEY_ONLY_TEXTS = { "watch.screens_full": "player.screens_full" };

function readJson(storage, key) {
  try {
    return JSON.parse(storage.getItem(key)) || null;
  } catch {
    return null;
  }
}

function writeJson(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // storage refused: the preference lasts for this page only
  }
}

// ---------------------------------------------------------------- template, in the order it is stacked

const VIDEO = `
  <video ref="video" class="bp-video" playsinline webkit-playsinline preload="auto" :poster="shell.poster || undefined"
         @loadedmetadata="onMetadata" @timeupdate="onTime" @progress="onBuffered" @play="onPlay" @pause="onPause"
         @waiting="busy = true" @playing="onPlaying" @canplay="onCanPlay" @seeked="onSeeked" @ended="onEnded"
         @error="onError"
         @volumechange="onVolume" @ratechange="rate = $refs.video.playbackRate"
         @enterpictureinpicture="pip = true" @leavepictureinpicture="pip = false">
    <track v-for="track in subtitles" :key="track.lang" kind="subtitles" :srclang="track.lang" :label="track.label"
           :src="track.url" @load="showCues">
  </video>
  <div class="bp-surface" @click="onSurfaceClick" @dblclick="onSurfaceDoubleClick"
       @pointerup="onSurfacePointerUp"></div>
  <div v-if="cues.length" class="bp-cues" :lang="subtitleLang" :style="cueStyle">
    <div v-for="(cue, index) in cues" :key="index" class="bp-cue"><span v-html="cue"></span></div>
  </div>
  <div v-if="busy && !message" class="bp-spinner" role="progressbar" :aria-label="m('player.loading')"></div>
  <div v-if="ripple" :key="ripple.id" class="bp-ripple" :class="ripple.side" aria-hidden="true">
    {{ ripple.text }}
  </div>`;

const TOP_BAR = `
  <div class="bp-top">
    <button class="bp-btn bp-back" :aria-label="m('player.back')" :title="m('player.back')" @click="goBack">
      <span class="material-icons" aria-hidden="true">arrow_back</span>
    </button>
    <div class="bp-heading">
      <span class="bp-title">{{ shell.title }}</span>
      <span v-if="shell.episodeLabel" class="bp-episode">{{ shell.episodeLabel }}</span>
    </div>
  </div>`;

const CENTER = `
  <div class="bp-center" v-if="started && !busy">
    <button class="bp-btn bp-touch-only" :aria-label="m('player.rewind')" @click="skip(-1)">
      <span class="material-icons" aria-hidden="true">replay_10</span>
    </button>
    <button class="bp-btn bp-big" :class="{ 'bp-touch-only': !paused }"
            :aria-label="m(paused ? 'player.play' : 'player.pause')"
            @click="togglePlay">
      <span class="material-icons" aria-hidden="true">{{ paused ? 'play_arrow' : 'pause' }}</span>
    </button>
    <button class="bp-btn bp-touch-only" :aria-label="m('player.forward')" @click="skip(1)">
      <span class="material-icons" aria-hidden="true">forward_10</span>
    </button>
  </div>`;

const SEEK_BAR = `
  <div class="bp-seekrow">
    <span class="bp-time" aria-hidden="true">{{ clock(shownTime) }}</span>
    <div ref="seek" class="bp-seek" role="slider" tabindex="0" :aria-label="m('player.seek')"
         aria-valuemin="0" :aria-valuemax="Math.round(duration)" :aria-valuenow="Math.round(shownTime)"
         :aria-valuetext="seekText" @pointerdown="seekStart" @pointermove="seekMove" @pointerup="seekEnd"
         @pointercancel="seekCancel" @pointerleave="hover = null" @keydown="seekKey">
      <div class="bp-seek-track">
        <div v-for="(range, index) in buffered" :key="index" class="bp-seek-buffered"
             :style="{ left: range.start + '%', width: range.width + '%' }"></div>
        <div class="bp-seek-played" :style="{ width: playedPercent + '%' }"></div>
      </div>
      <div class="bp-seek-thumb" :style="{ left: playedPercent + '%' }"></div>
      <div v-if="preview" class="bp-preview" :style="{ left: preview.left + 'px' }" aria-hidden="true">
        <div v-if="preview.tile" class="bp-preview-image" :style="preview.tile"></div>
        <span class="bp-preview-time">{{ preview.label }}</span>
      </div>
    </div>
    <span class="bp-time" aria-hidden="true">-{{ clock(duration - shownTime) }}</span>
  </div>`;

const CONTROL_ROW = `
  <div class="bp-controls">
    <button class="bp-btn" :aria-label="m(paused ? 'player.play' : 'player.pause')" @click="togglePlay">
      <span class="material-icons" aria-hidden="true">{{ paused ? 'play_arrow' : 'pause' }}</span>
    </button>
    <button class="bp-btn bp-wide-only" :aria-label="m('player.rewind')" @click="skip(-1)">
      <span class="material-icons" aria-hidden="true">replay_10</span>
    </button>
    <button class="bp-btn bp-wide-only" :aria-label="m('player.forward')" @click="skip(1)">
      <span class="material-icons" aria-hidden="true">forward_10</span>
    </button>
    <div class="bp-volume">
      <button class="bp-btn" :aria-label="m(muted ? 'player.unmute' : 'player.mute')" @click="toggleMute">
        <span class="material-icons" aria-hidden="true">{{ volumeIcon }}</span>
      </button>
      <div class="bp-volume-slider bp-wide-only" role="slider" tabindex="0" :aria-label="m('player.volume')"
           aria-valuemin="0" aria-valuemax="100" :aria-valuenow="Math.round(shownVolume * 100)"
           :aria-valuetext="Math.round(shownVolume * 100) + ' %'" @pointerdown="volumeStart" @pointermove="volumeMove"
           @pointerup="volumeEnd" @keydown="volumeKey">
        <div class="bp-volume-track">
          <div class="bp-volume-level" :style="{ width: shownVolume * 100 + '%' }"></div>
        </div>
      </div>
    </div>
    <div class="bp-now bp-wide-only" aria-hidden="true">
      <strong>{{ shell.title }}</strong><span v-if="shell.episodeLabel">{{ shell.episodeLabel }}</span>
    </div>
    <span class="bp-spacer"></span>
    <button v-if="cfg && cfg.next" class="bp-btn" :aria-label="m('player.next')" @click="playNext(false)">
      <span class="material-icons" aria-hidden="true">skip_next</span>
    </button>
    <button v-if="subtitles.length" class="bp-btn" :class="{ on: subtitleLang }" data-menu="subtitles"
            :aria-label="m('player.subtitles')" aria-haspopup="menu" :aria-expanded="String(menu === 'subtitles')"
            @click="toggleMenu('subtitles')">
      <span class="material-icons" aria-hidden="true">{{ subtitleLang ? 'subtitles' : 'subtitles_off' }}</span>
    </button>
    <button v-if="audioOptions.length > 1" class="bp-btn" data-menu="audio" :aria-label="m('player.audio')"
            aria-haspopup="menu" :aria-expanded="String(menu === 'audio')" @click="toggleMenu('audio')">
      <span class="material-icons" aria-hidden="true">record_voice_over</span>
    </button>
    <button class="bp-btn" data-menu="speed" :aria-label="m('player.speed')" aria-haspopup="menu"
            :aria-expanded="String(menu === 'speed')" @click="toggleMenu('speed')">
      <span class="material-icons" aria-hidden="true">speed</span>
    </button>
    <button v-if="cfg" class="bp-btn" data-menu="quality" :aria-label="m('player.quality')" aria-haspopup="menu"
            :aria-expanded="String(menu === 'quality')" @click="toggleMenu('quality')">
      <span class="material-icons" aria-hidden="true">{{ quality === 'HD' ? 'hd' : 'sd' }}</span>
    </button>
    <button v-if="canPip" class="bp-btn" :aria-label="m(pip ? 'player.pip_exit' : 'player.pip')" @click="togglePip">
      <span class="material-icons" aria-hidden="true">picture_in_picture_alt</span>
    </button>
    <button class="bp-btn bp-wide-only" :aria-label="m('player.help')" aria-haspopup="dialog" @click="toggleHelp">
      <span class="material-icons" aria-hidden="true">keyboard</span>
    </button>
    <button v-if="canFullscreen" class="bp-btn"
            :aria-label="m(fullscreen ? 'player.fullscreen_exit' : 'player.fullscreen')" @click="toggleFullscreen">
      <span class="material-icons" aria-hidden="true">{{ fullscreen ? 'fullscreen_exit' : 'fullscreen' }}</span>
    </button>
  </div>`;

const OVERLAY = `
  <div class="bp-overlay" :class="{ shown: overlay }" @focusin="poke">
    ${TOP_BAR}
    ${CENTER}
    <div v-if="started" class="bp-bottom" @pointerenter="onControls = true" @pointerleave="onControls = false">
      ${SEEK_BAR}
      ${CONTROL_ROW}
    </div>
  </div>`;

const MENU = `
  <div v-if="menu" class="bp-menu" role="menu" :aria-label="menuData.title" @keydown="menuKey">
    <div class="bp-menu-title" aria-hidden="true">{{ menuData.title }}</div>
    <button v-for="item in menuData.items" :key="item.id" class="bp-menu-item" role="menuitemradio"
            :aria-checked="String(item.checked)" @click="choose(item)">
      <span class="material-icons" aria-hidden="true">{{ item.checked ? 'check' : '' }}</span>
      <span>{{ item.label }}</span>
      <span v-if="item.badge" class="bp-badge">{{ item.badge }}</span>
    </button>
  </div>`;

const NOTICES = `
  <div v-if="!message && !postPlay" class="bp-notices">
    <div v-if="resumeNotice" class="bp-toast" role="status">
      <span>{{ resumeNotice }}</span>
      <button class="bp-link" @click="startOver">{{ m('watch.start_over') }}</button>
    </div>
    <button v-if="mutedFallback" class="bp-pill bp-unmute" @click="unmute">
      <span class="material-icons" aria-hidden="true">volume_off</span>{{ m('player.unmute_action') }}
    </button>
    <div v-if="trouble || mediaTrouble" class="bp-toast bp-trouble" role="status">
      <span class="material-icons" aria-hidden="true">wifi_off</span>{{ m('player.network_trouble') }}
    </div>
    <div v-if="fullscreenNote" class="bp-toast" role="status">{{ m('player.fullscreen_limited') }}</div>
  </div>
  <button v-if="showSkipIntro" class="bp-pill bp-skip-intro" @click="skipIntro">{{ m('player.skip_intro') }}</button>`;

const NEXT_UP = `
  <div v-if="nextUp !== null" class="bp-next" role="region" :aria-label="m('player.next')">
    <img v-if="cfg.next.still" :src="cfg.next.still" alt="">
    <div class="bp-next-body">
      <span class="bp-next-count" aria-live="polite">{{ fill(m('player.next_in'), { seconds: nextUp }) }}</span>
      <strong>{{ cfg.next.label }}</strong><span>{{ cfg.next.title }}</span>
      <div class="bp-actions">
        <button class="bp-action primary" @click="playNext(false)">{{ m('player.play_now') }}</button>
        <button class="bp-action" @click="cancelNext">{{ m('player.cancel') }}</button>
      </div>
    </div>
  </div>`;

const POST_PLAY = `
  <div v-if="postPlay" class="bp-layer bp-postplay bp-dialog" role="dialog" aria-modal="true"
       :aria-label="m(cfg && cfg.next ? 'player.next' : 'player.finished')">
    <div class="bp-postplay-head">
      <span class="bp-kicker">{{ m(cfg && cfg.next ? 'player.next' : 'player.finished') }}</span>
      <strong class="bp-postplay-title">
        {{ cfg && cfg.next ? cfg.next.label + ' · ' + cfg.next.title : shell.title }}
      </strong>
      <div class="bp-actions">
        <button v-if="cfg && cfg.next" class="bp-action primary" @click="playNext(false)">
          <span class="material-icons" aria-hidden="true">skip_next</span>{{ m('player.play_now') }}
        </button>
        <button class="bp-action" :class="{ primary: !(cfg && cfg.next) }" @click="goBrowse">
          {{ m('player.back_to_browse') }}
        </button>
        <button class="bp-action" @click="startOver">
          <span class="material-icons" aria-hidden="true">replay</span>{{ m('player.watch_again') }}
        </button>
      </div>
    </div>
    <template v-if="cfg && cfg.moreLikeThis && cfg.moreLikeThis.length">
      <h2 class="bp-more-title">{{ m('player.more_like_this') }}</h2>
      <div class="bp-more">
        <a v-for="item in cfg.moreLikeThis" :key="item.url" class="bp-more-card" :href="item.url">
          <img :src="item.poster" alt=""><span>{{ item.title }}</span>
        </a>
      </div>
    </template>
  </div>`;

const MESSAGE = `
  <div v-if="message" class="bp-layer bp-message bp-dialog" role="alertdialog" aria-modal="true"
       aria-labelledby="bp-message-text">
    <div class="bp-message-card">
      <span class="material-icons bp-message-icon" aria-hidden="true">{{ message.icon }}</span>
      <p id="bp-message-text" class="bp-message-text">{{ message.text }}</p>
      <div class="bp-actions">
        <button v-for="(action, index) in message.actions" :key="action" class="bp-action"
                :class="{ primary: index === 0 }" :data-action="action" :disabled="working" @click="act(action)">
          {{ m(actionLabels[action]) }}
        </button>
      </div>
    </div>
  </div>`;

const HELP = `
  <div v-if="help" class="bp-layer bp-message bp-dialog" role="dialog" aria-modal="true"
       aria-labelledby="bp-help-title">
    <div class="bp-message-card bp-help">
      <h2 id="bp-help-title">{{ m('player.help') }}</h2>
      <dl>
        <template v-for="shortcut in shortcuts" :key="shortcut.action">
          <dt><kbd v-for="key in shortcut.shown" :key="key">{{ key }}</kbd></dt><dd>{{ m(shortcut.label) }}</dd>
        </template>
      </dl>
      <div class="bp-actions">
        <button class="bp-action primary" @click="help = false">{{ m('player.close') }}</button>
      </div>
    </div>
  </div>`;

export default {
  template: `
    <div class="bp" :class="rootClasses" tabindex="-1" role="region"
         :aria-label="fill(m('player.region'), { title: shell.title })"
         @pointermove="onPointerMove" @pointerdown="onPointerDown">
      ${VIDEO}
      ${OVERLAY}
      ${NOTICES}
      ${MENU}
      ${NEXT_UP}
      ${POST_PLAY}
      ${MESSAGE}
      ${HELP}
      <div class="bp-sr-only" aria-live="polite">{{ announcement }}</div>
    </div>`,
  props: {
    shell: Object, // {title, episodeLabel, poster, backUrl, browseUrl, upgradeUrl, messages}
    playback: Object, // the playback config (app/components/player.py), or null until the server has started one
    refusal: Object, // {key, text, stopOthersUrl}: the server refused to start (too many screens), or null
  },
  data() {
    return {
      cfg: null,
      played: 0, // seconds really played in this playback (sent with the reports: the history's 30 s / 5 %)
      started: false, // a playback config arrived and its video is set
      ended: false,
      busy: true,
      paused: true,
      time: 0,
      duration: 0,
      buffered: [],
      volume: 1,
      muted: false,
      rate: 1,
      quality: "SD",
      audioLang: null,
      nativeAudio: [],
      subtitleLang: null,
      cues: [],
      picture: { gap: 0, height: 0, controls: 0 }, // where the picture sits in the wrapper, for the cues
      overlay: true,
      onControls: false,
      menu: null,
      help: false,
      message: null,
      working: false,
      scrub: null, // the time under the pointer while the seek bar is dragged
      hover: null, // {time, x} while the pointer is over the seek bar
      volumeDrag: null,
      resumeNotice: null,
      mutedFallback: false,
      trouble: false, // progress reports have been failing for a while
      mediaTrouble: false, // the video's bytes are being asked for again
      fullscreen: false,
      fullscreenNote: false,
      pip: false,
      canPip: false,
      canFullscreen: false,
      nextUp: null, // seconds left on the next-episode countdown, or null
      nextCancelled: false,
      postPlay: false,
      ripple: null,
      announcement: "",
      shortcuts: SHORTCUTS,
      actionLabels: {
        browse: "player.back_to_browse",
        upgrade: "player.upgrade",
        stopOthers: "watch.stop_others",
        retry: "player.retry",
        dismiss: "player.not_now",
        continue: "player.continue_watching",
      },
    };
  },
  computed: {
    rootClasses() {
      return {
        "bp-idle": !this.overlay,
        "bp-overlay-on": this.overlay,
        "bp-started": this.started,
        "bp-postplaying": this.postPlay,
      };
    },
    // Cues sit just inside the bottom of the picture (not of the wrapper: on a phone held upright the picture is a
    // band in the middle), and above the controls while they show.
    cueStyle() {
      const inside = this.picture.gap + this.picture.height * 0.07;
      const clear = this.overlay && this.started ? this.picture.controls + 8 : 0;
      return { bottom: `${Math.max(inside, clear)}px` };
    },
    shownTime() {
      return this.scrub !== null ? this.scrub : this.time;
    },
    playedPercent() {
      return this.duration > 0 ? clamp((this.shownTime / this.duration) * 100, 0, 100) : 0;
    },
    seekText() {
      return fill(this.m("player.time_of"), { time: clock(this.shownTime), duration: clock(this.duration) });
    },
    shownVolume() {
      return this.muted ? 0 : this.volume;
    },
    volumeIcon() {
      if (this.muted || this.volume === 0) return "volume_off";
      return this.volume < 0.5 ? "volume_down" : "volume_up";
    },
    subtitles() {
      return (this.cfg && this.cfg.subtitles) || [];
    },
    audioOptions() {
      if (this.cfg && this.cfg.audio && this.cfg.audio.length > 1) {
        return this.cfg.audio.map((entry) => ({ id: entry.lang, label: entry.label }));
      }
      return this.nativeAudio;
    },
    markers() {
      return (this.cfg && this.cfg.markers) || {};
    },
    showSkipIntro() {
      const { introStart, introEnd } = this.markers;
      return this.started && introEnd != null && this.time >= (introStart || 0) && this.time < introEnd - 1;
    },
    creditsAt() {
      const credits = this.markers.creditsStart;
      return credits != null ? credits : Math.max(0, this.duration - CREDITS_FALLBACK_S);
    },
    preview() {
      const at = this.scrub !== null ? this.scrub : this.hover && this.hover.time;
      if (at === null || at === undefined || !this.$refs.seek) return null;
      const width = this.$refs.seek.clientWidth;
      const trickplay = this.cfg && this.cfg.trickplay;
      const tile = tileAt(trickplay, at);
      const boxWidth = window.innerWidth < 600 ? 160 : 240;
      const half = (tile ? boxWidth : 60) / 2;
      const x = this.duration > 0 ? (at / this.duration) * width : 0;
      return {
        left: clamp(x, half, Math.max(half, width - half)),
        label: clock(at),
        tile: tile ? tileStyle(trickplay, tile, boxWidth) : null,
      };
    },
    menuData() {
      const builders = {
        subtitles: () => this.subtitleItems(),
        audio: () => ({
          title: this.m("player.audio"),
          items: this.audioOptions.map((o) => ({ ...o, checked: o.id === this.audioLang })),
        }),
        speed: () => this.speedItems(),
        quality: () => this.qualityItems(),
      };
      return this.menu ? builders[this.menu]() : { title: "", items: [] };
    },
  },
  watch: {
    playback: { handler: "begin", immediate: true },
    refusal: { handler: "refuse", immediate: true },
  },
  mounted() {
    const video = this.$refs.video;
    this.canPip = Boolean(document.pictureInPictureEnabled && !video.disablePictureInPicture);
    this.canFullscreen = elementSupported(this.$el) || videoOnlySupported(video);
    this.applyDevicePrefs();
    this.taps = touchTaps({
      onTap: () => this.toggleOverlay(),
      onDoubleTap: (side) => this.skip(side === "left" ? -1 : 1),
    });
    this.listeners = [
      [document, "keydown", this.onKeydown],
      [document, "visibilitychange", this.onVisibility],
      [document, "focusin", this.keepFocusInside],
      [window, "pagehide", this.onPageHide],
      [window, "pageshow", this.onPageShow],
    ];
    for (const [target, name, handler] of this.listeners) target.addEventListener(name, handler);
    this.stopWatchingFullscreen = onFullscreenChange(() => (this.fullscreen = fullscreenElement() === this.$el));
    this.resizer = new ResizeObserver(() => this.measurePicture());
    this.resizer.observe(this.$el);
    // Once a playback runs, reloading the page would interrupt it: the connection guard must not (see connection.js).
    setReloadGuard(() => this.started);
    this.$el.focus({ preventScroll: true });
    this.poke();
  },
  beforeUnmount() {
    for (const [target, name, handler] of this.listeners) target.removeEventListener(name, handler);
    this.stopWatchingFullscreen();
    this.resizer.disconnect();
    setReloadGuard(() => false);
    if (this.reporter) this.reporter.halt();
    for (const timer of ["hideTimer", "countdown", "resumeTimer", "rippleTimer", "noteTimer", "recoveryTimer"]) {
      clearTimeout(this[timer]);
      clearInterval(this[timer]);
    }
  },
  methods: {
    clock,
    fill,
    m(key) {
      return (this.shell.messages && this.shell.messages[key]) || key;
    },
    say(text) {
      // Re-set even when equal, so a screen reader reads "+10 s" twice when it happens twice.
      this.announcement = "";
      this.$nextTick(() => (this.announcement = text));
    },

    // ------------------------------------------------------------ starting

    begin(cfg) {
      if (!cfg || (this.cfg && this.cfg.id === cfg.id)) return; // the same config sent again with the element
      if (this.reporter) this.reporter.halt({ over: true });
      this.cfg = cfg;
      this.message = null;
      this.working = false;
      this.ended = this.postPlay = false;
      this.quality = cfg.sources[cfg.quality] ? cfg.quality : "SD";
      this.audioLang = cfg.audio && cfg.audio.length ? cfg.audio[0].lang : null;
      this.subtitleLang = this.initialSubtitles(cfg);
      this.ready = false; // true once the resume seek is done: before that, currentTime is not a real position
      this.played = 0;
      this.pendingSeek = this.resumePoint(cfg);
      this.reporter = new Reporter({
        id: cfg.id,
        mediaKey: cfg.mediaKey,
        url: cfg.progress.url,
        token: cfg.progress.token,
        everySeconds: cfg.progress.everySeconds,
        position: () => (this.ready ? this.$refs.video.currentTime : null),
        played: () => this.played,
        onStop: (key) => this.stop(key),
        onTrouble: (on) => (this.trouble = on),
      });
      resendOrphans(cfg.id);
      this.reporter.start();
      this.started = true;
      this.markFirstFrame();
      this.$refs.video.src = this.sourceUrl();
      this.$nextTick(() => this.applySubtitles());
      if (cfg.trickplay) preloadTrickplay(cfg.trickplay);
      if (cfg.autoplay !== false) this.play();
      else this.busy = false;
    },

    refuse(refusal) {
      if (!refusal) return;
      this.busy = false;
      this.refusalInfo = refusal;
      this.showMessage(refusal.key, refusal.text);
    },

    // Where to start: this tab's own last position after a reload, else a report that never reached the server,
    // else the server's resume point.
    resumePoint(cfg) {
      const last = readJson(sessionStorage, LAST_POSITION);
      if (last && last.mediaKey === cfg.mediaKey && Date.now() - last.at < 10 * 60 * 1000) return last.position;
      const pending = pendingPosition(cfg.mediaKey);
      return pending !== null ? pending : cfg.resume || 0;
    },

    sources() {
      const audio = this.cfg.audio && this.cfg.audio.find((entry) => entry.lang === this.audioLang);
      return (audio && audio.sources) || this.cfg.sources;
    },

    sourceUrl() {
      const sources = this.sources();
      return sources[this.quality] || sources.SD;
    },

    // Swaps the video's URL (quality, audio language, a new try after an error) where it is, playing on if the
    // viewer wants it playing (after an error the video is paused, but not by the viewer).
    switchSource() {
      const video = this.$refs.video;
      const wasPlaying = !video.paused || (this.recoveries > 0 && this.wantsPlay);
      this.pendingSeek = this.ready ? video.currentTime : this.pendingSeek;
      this.ready = false;
      video.src = this.sourceUrl();
      if (wasPlaying) this.play();
    },

    // Time from page start to the first frame shown, as a performance mark the browser tests read.
    markFirstFrame() {
      const video = this.$refs.video;
      const mark = () => performance.mark("butaca:first-frame");
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(mark);
      else video.addEventListener("playing", mark, { once: true });
    },

    async play() {
      const video = this.$refs.video;
      this.wantsPlay = true;
      try {
        await video.play();
      } catch (error) {
        if (error.name !== "NotAllowedError" || video.muted) {
          this.busy = false; // AbortError (a new source came) or no source: stay paused, the big Play shows
          return;
        }
        // The browser refuses sound without a gesture on this page: play muted, and offer the sound.
        video.muted = true;
        this.mutedFallback = true;
        try {
          await video.play();
        } catch {
          this.busy = false;
        }
      }
    },

    // ------------------------------------------------------------ video events

    onMetadata() {
      const video = this.$refs.video;
      this.duration = video.duration;
      this.measurePicture();
      this.nativeAudio = this.readNativeAudio();
      const target = this.pendingSeek || 0;
      if (target > 0 && target < video.duration - 1) {
        this.seekAfterLoad = true;
        video.currentTime = target;
        if (!this.resumeShown && this.cfg.resume > 0) this.showResumeNotice(target);
      } else {
        this.ready = true;
      }
      this.resumeShown = true;
    },

    onSeeked() {
      if (this.seekAfterLoad) {
        this.seekAfterLoad = false;
        this.ready = true;
        return;
      }
      if (this.ready) this.reporter.report();
    },

    onTime() {
      const video = this.$refs.video;
      // Seconds really played (the history counts from 30 s or 5 %): small forward steps while playing only, so
      // a seek or a jump of the clock adds nothing.
      const step = video.currentTime - this.time;
      if (!video.paused && this.ready && step > 0 && step < 2) this.played += step;
      this.time = video.currentTime;
      if (!this.ready || this.message) return;
      this.checkMarkers();
    },

    onBuffered() {
      const video = this.$refs.video;
      const ranges = [];
      for (let index = 0; index < video.buffered.length && this.duration > 0; index += 1) {
        const start = (video.buffered.start(index) / this.duration) * 100;
        ranges.push({ start, width: (video.buffered.end(index) / this.duration) * 100 - start });
      }
      this.buffered = ranges;
    },

    onPlay() {
      this.paused = false;
      this.ended = this.postPlay = false;
      this.poke();
    },

    onCanPlay() {
      if (this.$refs.video.paused) this.busy = false; // ready, and waiting for the viewer: no spinner
    },

    onPlaying() {
      this.busy = false;
      this.recoveries = 0;
      this.mediaTrouble = false;
    },

    onPause() {
      this.paused = true;
      this.overlay = true;
      const video = this.$refs.video;
      if (this.ready && !video.ended && this.started && !this.message) this.reporter.report();
    },

    onEnded() {
      this.ended = true;
      this.paused = true;
      this.reporter.report({ ended: true });
      this.rememberPosition(0);
      if (this.nextUp !== null || this.stillWatchingShown) return; // the countdown or the question goes on
      this.postPlay = true;
      this.overlay = false;
      this.$nextTick(() => this.focusFirst(".bp-postplay"));
    },

    onVolume() {
      const video = this.$refs.video;
      this.volume = video.volume;
      this.muted = video.muted;
      if (!video.muted) this.mutedFallback = false;
      if (!this.mutedFallback)
        writeJson(localStorage, DEVICE_PREFS, { ...this.devicePrefs(), volume: video.volume, muted: video.muted });
    },

    // The video's bytes stopped coming (network down, server restarting) or were refused. A refusal looks the same
    // from here, so a report asks the server why (a stop answers it); otherwise the source is loaded again where it
    // was, with backoff, for about a minute, before saying it could not be loaded.
    onError() {
      if (!this.started || this.message || !this.$refs.video.getAttribute("src")) return;
      this.reporter.report();
      this.recoveries = (this.recoveries || 0) + 1;
      if (this.recoveries > RECOVERY_TRIES) {
        this.showMessage("watch.load_error");
        return;
      }
      this.busy = true;
      this.mediaTrouble = this.recoveries > 1;
      const delay = 1000 * Math.min(2 ** (this.recoveries - 1), 15);
      clearTimeout(this.recoveryTimer);
      this.recoveryTimer = setTimeout(() => !this.message && this.switchSource(), delay);
    },

    // ------------------------------------------------------------ controls

    togglePlay() {
      if (!this.started || this.message) return;
      const video = this.$refs.video;
      if (video.paused || video.ended) {
        if (video.ended) video.currentTime = 0;
        this.play();
      } else {
        this.wantsPlay = false;
        video.pause();
      }
    },

    skip(direction) {
      if (!this.started || this.message) return;
      const video = this.$refs.video;
      video.currentTime = clamp(video.currentTime + direction * SKIP_S, 0, this.duration || 0);
      const text = direction < 0 ? `−${SKIP_S} s` : `+${SKIP_S} s`;
      this.ripple = { id: Date.now(), side: direction < 0 ? "left" : "right", text };
      clearTimeout(this.rippleTimer);
      this.rippleTimer = setTimeout(() => (this.ripple = null), 700);
      this.say(text);
    },

    seekTo(seconds) {
      if (!this.started) return;
      this.$refs.video.currentTime = clamp(seconds, 0, this.duration || 0);
    },

    startOver() {
      this.resumeNotice = null;
      this.postPlay = false;
      this.nextUp = null;
      this.seekTo(0);
      this.play();
    },

    setVolume(value) {
      const video = this.$refs.video;
      video.volume = clamp(value, 0, 1);
      video.muted = video.volume === 0;
    },

    toggleMute() {
      const video = this.$refs.video;
      video.muted = !video.muted;
      if (!video.muted && video.volume === 0) video.volume = 0.5;
      this.say(this.m(video.muted ? "player.muted" : "player.unmuted"));
    },

    unmute() {
      this.$refs.video.muted = false;
      this.mutedFallback = false;
    },

    async togglePip() {
      try {
        if (document.pictureInPictureElement) await document.exitPictureInPicture();
        else await this.$refs.video.requestPictureInPicture();
      } catch {
        // refused (no gesture, or the browser says no): nothing changes
      }
    },

    async toggleFullscreen() {
      try {
        if (fullscreenElement()) {
          await exitFullscreen();
          return;
        }
        const how = await enterFullscreen(this.$el, this.$refs.video);
        if (how === "video") this.note("fullscreenNote");
      } catch {
        // refused without a gesture: nothing changes
      }
    },

    // Back: to the page the viewer came from, or to the title's page when this tab has no history here.
    goBack() {
      const cameFromHere = document.referrer && new URL(document.referrer).origin === location.origin;
      this.navigate(() => (cameFromHere && history.length > 1 ? history.back() : location.assign(this.shell.backUrl)));
    },

    goBrowse() {
      this.navigate(() => location.assign(this.shell.browseUrl));
    },

    // A navigation waits for the server when the page has lost it, so it never ends on the browser's error page.
    navigate(go) {
      if (window.socket && window.socket.connected) go();
      else whenReachable(go);
    },

    showResumeNotice(at) {
      this.resumeNotice = fill(this.m("watch.resumed_at"), { time: clock(at) });
      clearTimeout(this.resumeTimer);
      this.resumeTimer = setTimeout(() => (this.resumeNotice = null), RESUME_NOTICE_MS);
    },

    note(flag) {
      this[flag] = true;
      clearTimeout(this.noteTimer);
      this.noteTimer = setTimeout(() => (this[flag] = false), 6000);
    },

    // The picture is scaled to fit (object-fit: contain): the band under it, its height, and the controls' height.
    measurePicture() {
      const video = this.$refs.video;
      const box = this.$el.getBoundingClientRect();
      const bottomBar = this.$el.querySelector(".bp-bottom");
      const controls = bottomBar ? bottomBar.offsetHeight : 0;
      if (!video.videoWidth || !box.height) {
        this.picture = { gap: 0, height: box.height, controls };
        return;
      }
      const height = video.videoHeight * Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
      this.picture = { gap: (box.height - height) / 2, height, controls };
    },

    // ------------------------------------------------------------ overlay

    poke() {
      this.overlay = true;
      clearTimeout(this.hideTimer);
      this.hideTimer = setTimeout(() => this.hideOverlay(), HIDE_OVERLAY_MS);
    },

    hideOverlay() {
      const busy = this.paused || this.menu || this.help || this.onControls || this.scrub !== null || !this.started;
      if (busy) this.poke();
      else this.overlay = false;
    },

    toggleOverlay() {
      if (this.overlay && !this.paused) {
        clearTimeout(this.hideTimer);
        this.overlay = false;
        this.menu = null;
      } else this.poke();
    },

    onPointerMove(event) {
      if (event.pointerType === "mouse") this.poke();
    },

    onPointerDown(event) {
      this.lastPointer = event.pointerType;
      this.noteInput();
    },

    // Any input from the viewer ends a chain of episodes started by the countdown (see stillWatching).
    noteInput() {
      sessionStorage.removeItem(AUTOPLAY_CHAIN);
    },

    onSurfaceClick() {
      if (this.lastPointer === "touch" || this.lastPointer === "pen") return; // taps are handled on pointerup
      if (this.menu) {
        this.menu = null;
        return;
      }
      this.togglePlay();
    },

    onSurfaceDoubleClick() {
      if (this.lastPointer === "mouse") this.toggleFullscreen(); // a double tap skips instead (onSurfacePointerUp)
    },

    onSurfacePointerUp(event) {
      if (event.pointerType === "touch" || event.pointerType === "pen") {
        if (this.menu) this.menu = null;
        else this.taps(event);
      }
    },

    // ------------------------------------------------------------ seek bar and volume slider

    timeAt(event) {
      const box = this.$refs.seek.getBoundingClientRect();
      return clamp((event.clientX - box.left) / box.width, 0, 1) * (this.duration || 0);
    },

    seekStart(event) {
      if (!this.started || event.button > 0) return;
      this.$refs.seek.setPointerCapture(event.pointerId);
      this.scrub = this.timeAt(event);
    },

    seekMove(event) {
      const time = this.timeAt(event);
      if (this.scrub !== null) this.scrub = time;
      else if (event.pointerType === "mouse") this.hover = { time };
    },

    seekEnd() {
      if (this.scrub === null) return;
      this.seekTo(this.scrub);
      this.scrub = null;
    },

    seekCancel() {
      this.scrub = null;
      this.hover = null;
    },

    seekKey(event) {
      const video = this.$refs.video;
      const moves = {
        ArrowLeft: -SKIP_S,
        ArrowRight: SKIP_S,
        PageDown: -60,
        PageUp: 60,
        Home: -Infinity,
        End: Infinity,
      };
      if (!(event.key in moves)) return;
      event.preventDefault();
      this.seekTo(video.currentTime + moves[event.key]);
    },

    volumeAt(event) {
      const box = event.currentTarget.getBoundingClientRect();
      return clamp((event.clientX - box.left) / box.width, 0, 1);
    },

    volumeStart(event) {
      event.currentTarget.setPointerCapture(event.pointerId);
      this.volumeDrag = true;
      this.setVolume(this.volumeAt(event));
    },

    volumeMove(event) {
      if (this.volumeDrag) this.setVolume(this.volumeAt(event));
    },

    volumeEnd() {
      this.volumeDrag = null;
    },

    volumeKey(event) {
      const steps = { ArrowLeft: -0.1, ArrowDown: -0.1, ArrowRight: 0.1, ArrowUp: 0.1 };
      if (!(event.key in steps)) return;
      event.preventDefault();
      this.changeVolume(steps[event.key]);
    },

    changeVolume(step) {
      const video = this.$refs.video;
      this.setVolume((video.muted ? 0 : video.volume) + step);
      this.say(`${this.m("player.volume")} ${Math.round(video.volume * 100)} %`);
    },

    // ------------------------------------------------------------ menus

    toggleMenu(name) {
      this.menu = this.menu === name ? null : name;
      this.menuOpener = name;
      if (this.menu) this.$nextTick(() => this.focusMenuItem(0, true));
    },

    closeMenu() {
      const opener = this.$el.querySelector(`[data-menu="${this.menuOpener}"]`);
      this.menu = null;
      if (opener) opener.focus();
    },

    focusMenuItem(step, checked = false) {
      const items = Array.from(this.$el.querySelectorAll(".bp-menu-item"));
      if (!items.length) return;
      const at = items.indexOf(document.activeElement);
      const start = checked ? items.findIndex((item) => item.getAttribute("aria-checked") === "true") : at + step;
      items[(Math.max(0, start) + items.length) % items.length].focus();
    },

    menuKey(event) {
      const moves = { ArrowDown: 1, ArrowUp: -1 };
      if (event.key in moves) {
        event.preventDefault();
        this.focusMenuItem(moves[event.key]);
      } else if (event.key === "Escape" || event.key === "Tab") {
        if (event.key === "Escape") event.preventDefault();
        this.closeMenu();
      }
      event.stopPropagation(); // the menu's keys are not the player's shortcuts
    },

    choose(item) {
      const menu = this.menu;
      this.closeMenu();
      if (menu === "subtitles") this.setSubtitles(item.id);
      else if (menu === "audio") this.setAudio(item.id);
      else if (menu === "speed") this.setRate(item.id);
      else if (menu === "quality") this.setQuality(item.id);
    },

    subtitleItems() {
      const items = [{ id: null, label: this.m("player.subtitles_off"), checked: !this.subtitleLang }];
      for (const track of this.subtitles)
        items.push({ id: track.lang, label: track.label, checked: track.lang === this.subtitleLang });
      return { title: this.m("player.subtitles"), items };
    },

    speedItems() {
      const label = (speed) =>
        speed === 1 ? this.m("player.speed_normal") : `${String(speed).replace(".", this.m("player.decimal"))}×`;
      return {
        title: this.m("player.speed"),
        items: SPEEDS.map((speed) => ({ id: speed, label: label(speed), checked: speed === this.rate })),
      };
    },

    qualityItems() {
      const labels = this.cfg.qualityLabels || {};
      const items = ["SD", "HD"].map((id) => ({
        id,
        label: labels[id] || id,
        checked: id === this.quality,
        badge: id === "HD" && this.cfg.hdLocked ? this.m("player.premium") : null,
      }));
      return {
        title: this.m("player.quality"),
        items: items.filter((item) => item.id === "SD" || this.cfg.sources.HD || this.cfg.hdLocked),
      };
    },

    setRate(speed) {
      this.$refs.video.playbackRate = speed;
      this.say(`${this.m("player.speed")}: ${speed}×`);
    },

    setQuality(id) {
      if (id === this.quality) return;
      if (id === "HD" && !this.cfg.sources.HD) {
        this.showMessage("player.hd_locked");
        return;
      }
      this.quality = id;
      this.switchSource();
      this.say(`${this.m("player.quality")}: ${id}`);
    },

    setAudio(id) {
      if (id === this.audioLang) return;
      if (this.cfg.audio && this.cfg.audio.length > 1) {
        this.audioLang = id;
        this.switchSource();
        return;
      }
      const tracks = this.$refs.video.audioTracks;
      for (let index = 0; tracks && index < tracks.length; index += 1) tracks[index].enabled = String(index) === id;
      this.audioLang = id;
    },

    readNativeAudio() {
      const tracks = this.$refs.video.audioTracks;
      if (!tracks || tracks.length < 2) return [];
      const options = [];
      for (let index = 0; index < tracks.length; index += 1) {
        const track = tracks[index];
        options.push({ id: String(index), label: track.label || track.language || String(index + 1) });
        if (track.enabled) this.audioLang = String(index);
      }
      return options;
    },

    // ------------------------------------------------------------ subtitles

    initialSubtitles(cfg) {
      const langs = (cfg.subtitles || []).map((track) => track.lang);
      // The account's choice (null is "off") when the server knows it; this device's last choice otherwise.
      const wanted = cfg.subtitleLang !== undefined ? cfg.subtitleLang : this.devicePrefs().subtitles;
      return langs.includes(wanted) ? wanted : null;
    },

    setSubtitles(lang) {
      this.subtitleLang = lang;
      if (lang) this.lastSubtitleLang = lang;
      this.applySubtitles();
      writeJson(localStorage, DEVICE_PREFS, { ...this.devicePrefs(), subtitles: lang });
      const url = this.cfg.preferencesUrl;
      if (url) {
        fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "text/plain" },
          body: JSON.stringify({ subtitles: lang }),
        }).catch(() => {});
      }
      const chosen = this.subtitles.find((track) => track.lang === lang);
      this.say(`${this.m("player.subtitles")}: ${chosen ? chosen.label : this.m("player.subtitles_off")}`);
    },

    cycleSubtitles() {
      if (!this.subtitles.length) return;
      if (this.subtitleLang) this.setSubtitles(null);
      else this.setSubtitles(this.lastSubtitleLang || this.subtitles[0].lang);
    },

    // Our own cue box draws the chosen track (mode "hidden": the browser loads it and keeps its active cues but
    // does not draw them), so cues can move above the controls and stay inside the fullscreen wrapper.
    applySubtitles() {
      for (const element of this.$refs.video.querySelectorAll("track")) {
        const track = element.track;
        const chosen = element.srclang === this.subtitleLang;
        track.mode = chosen ? "hidden" : "disabled";
        track.oncuechange = chosen ? () => this.showCues() : null;
      }
      this.showCues();
    },

    showCues() {
      const element = Array.from(this.$refs.video.querySelectorAll("track")).find(
        (e) => e.srclang === this.subtitleLang,
      );
      const active = element && element.track.activeCues ? Array.from(element.track.activeCues) : [];
      this.cues = active.map((cue) => {
        const box = document.createElement("div");
        box.append(cue.getCueAsHTML()); // WebVTT's own markup only (b, i, u, ruby, voice spans): no script
        return box.innerHTML;
      });
    },

    // ------------------------------------------------------------ intro, credits, next episode

    checkMarkers() {
      const next = this.cfg.next;
      if (!next || this.nextCancelled || this.nextUp !== null || this.stillWatchingShown || !this.duration) return;
      if (this.time < this.creditsAt) return;
      if (this.chain() >= (this.cfg.stillWatchingAfter || 3)) this.askStillWatching();
      else this.startCountdown();
    },

    skipIntro() {
      this.seekTo(this.markers.introEnd);
    },

    startCountdown() {
      this.nextUp = NEXT_COUNTDOWN_S;
      clearInterval(this.countdown);
      this.countdown = setInterval(() => {
        this.nextUp -= 1;
        if (this.nextUp <= 0) this.playNext(true);
      }, 1000);
    },

    cancelNext() {
      clearInterval(this.countdown);
      this.nextUp = null;
      this.nextCancelled = true;
      if (this.ended) this.postPlay = true;
    },

    chain() {
      return Number(sessionStorage.getItem(AUTOPLAY_CHAIN) || 0);
    },

    // Episodes that started one after another with no input at all: past the limit, ask before the next one.
    askStillWatching() {
      this.stillWatchingShown = true;
      this.$refs.video.pause();
      this.message = {
        key: "player.still_watching",
        icon: "help_outline",
        text: this.m("player.still_watching"),
        actions: ["continue", "browse"],
      };
      this.$nextTick(() => this.focusFirst(".bp-message"));
    },

    playNext(automatic) {
      const next = this.cfg && this.cfg.next;
      if (!next) return;
      clearInterval(this.countdown);
      if (automatic) sessionStorage.setItem(AUTOPLAY_CHAIN, String(this.chain() + 1));
      else sessionStorage.removeItem(AUTOPLAY_CHAIN);
      this.navigate(() => location.assign(next.url));
    },

    // ------------------------------------------------------------ messages

    // Called by the server (over the websocket) or by a refused progress report: this playback may not go on.
    stop(key, text) {
      if (this.reporter) this.reporter.halt();
      clearInterval(this.countdown);
      this.nextUp = null;
      const video = this.$refs.video;
      video.pause();
      video.removeAttribute("src"); // no more bytes: the server refuses them anyway
      video.load();
      this.cues = [];
      if (document.pictureInPictureElement) document.exitPictureInPicture().catch(() => {});
      this.showMessage(key, text);
    },

    showMessage(key, text) {
      this.working = false;
      this.menu = null;
      this.help = false;
      this.postPlay = false;
      this.busy = false;
      this.overlay = true;
      const actions = (MESSAGE_ACTIONS[key] || ["browse"]).filter(
        (action) => action !== "upgrade" || this.shell.upgradeUrl,
      );
      const shown = text || this.m(KEY_ONLY_TEXTS[key] || key);
      this.message = { key, icon: MESSAGE_ICONS[key] || "info", text: shown, actions };
      this.say(this.message.text);
      this.$nextTick(() => this.focusFirst(".bp-message"));
    },

    async act(action) {
      const handlers = {
        browse: () => this.goBrowse(),
        upgrade: () => this.navigate(() => location.assign(this.shell.upgradeUrl)),
        retry: () => this.navigate(() => location.reload()),
        dismiss: () => (this.message = null),
        continue: () => {
          this.message = null;
          this.playNext(false);
        },
        stopOthers: () => this.stopOthers(),
      };
      await handlers[action]();
    },

    // "Stop the others": over HTTP when the server gave a URL (then this page starts again), else the Python side
    // does it and sends a new playback config.
    async stopOthers() {
      const url = (this.cfg && this.cfg.stopOthersUrl) || (this.refusalInfo && this.refusalInfo.stopOthersUrl);
      this.working = true;
      this.busy = true;
      if (!url) {
        this.$emit("stopOthers");
        return;
      }
      try {
        const response = await fetch(url, { method: "POST", credentials: "same-origin" });
        if (response.ok) {
          location.reload();
          return;
        }
      } catch {
        // no answer: the viewer can try again
      }
      this.working = false;
      this.busy = false;
    },

    // ------------------------------------------------------------ keyboard and focus

    onKeydown(event) {
      this.noteInput();
      if (event.key === "Tab") {
        this.poke();
        this.trapTab(event);
        return;
      }
      if (ownedByTarget(event)) {
        this.poke();
        return;
      }
      const action = actionFor(event);
      const dialogOpen = this.message || this.help || this.postPlay;
      if (!action || (dialogOpen && !["escape", "toggleHelp", "toggleFullscreen"].includes(action))) return;
      event.preventDefault();
      this.poke();
      const actions = {
        togglePlay: () => this.togglePlay(),
        rewind: () => this.skip(-1),
        forward: () => this.skip(1),
        volumeUp: () => this.changeVolume(0.1),
        volumeDown: () => this.changeVolume(-0.1),
        toggleMute: () => this.toggleMute(),
        toggleFullscreen: () => this.toggleFullscreen(),
        cycleSubtitles: () => this.cycleSubtitles(),
        playNext: () => this.playNext(false),
        escape: () => this.escape(),
        toggleHelp: () => this.toggleHelp(),
      };
      actions[action]();
    },

    escape() {
      if (this.menu) this.closeMenu();
      else if (this.help) this.help = false;
      else if (fullscreenElement()) exitFullscreen();
    },

    toggleHelp() {
      this.help = !this.help;
      if (this.help) this.$nextTick(() => this.focusFirst(".bp-help"));
    },

    focusFirst(selector) {
      const box = this.$el.querySelector(selector);
      const target = box && box.querySelector("button, a[href]");
      if (target) target.focus();
    },

    // Inside an open dialog, Tab goes round its own buttons: the controls behind it are not for now.
    trapTab(event) {
      const dialog = this.$el.querySelector(".bp-dialog");
      if (!dialog) return;
      const items = Array.from(dialog.querySelectorAll("button:not([disabled]), a[href]"));
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (
        event.shiftKey
          ? document.activeElement === first || !dialog.contains(document.activeElement)
          : document.activeElement === last
      ) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    },

    // In fullscreen only the wrapper is visible: focus that wanders out of it is brought back.
    keepFocusInside(event) {
      if (this.fullscreen && !this.$el.contains(event.target)) this.$el.focus({ preventScroll: true });
    },

    // ------------------------------------------------------------ leaving, hiding, preferences

    onVisibility() {
      // Hidden is not leaving: a video playing in a background tab keeps its screen. The report goes as a beacon,
      // since a phone may freeze the page soon after. It waits one turn: a page being closed gets its pagehide in
      // this same turn, and then only the leaving report goes (two beacons may arrive in either order).
      if (document.visibilityState !== "hidden" || !this.started || this.message) return;
      setTimeout(() => !this.left && this.reporter.beacon(), 0);
    },

    onPageHide() {
      if (!this.started || this.message) return;
      this.left = true;
      this.reporter.beacon({ leaving: true });
      if (!this.ended) this.rememberPosition(this.$refs.video.currentTime);
    },

    // Back from the back/forward cache: the page lives again, and so does its screen.
    onPageShow(event) {
      if (!event.persisted || !this.left) return;
      this.left = false;
      this.reporter.back();
    },

    rememberPosition(position) {
      if (this.ready)
        writeJson(sessionStorage, LAST_POSITION, { mediaKey: this.cfg.mediaKey, position, at: Date.now() });
    },

    devicePrefs() {
      return readJson(localStorage, DEVICE_PREFS) || {};
    },

    applyDevicePrefs() {
      const prefs = this.devicePrefs();
      const video = this.$refs.video;
      if (Number.isFinite(prefs.volume)) video.volume = clamp(prefs.volume, 0, 1);
      if (prefs.muted === true) video.muted = true;
      this.volume = video.volume;
      this.muted = video.muted;
    },
  },
};
