// The audible cue for a clock warning or a breach: a short beep made with the Web Audio API (no audio files),
// with a mute switch that persists in localStorage. Browsers start audio only after the user has touched the
// page once, so the first pointer or key press unlocks it; until then `audio.blocked` says so.

const STORAGE_KEY = 'beacon.muted';

export type Cue = 'warning' | 'missed';

function initialMuted(): boolean {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

class AudioState {
  muted = $state(initialMuted());
  /** A cue was due but the browser has not let the page play sound yet (nobody has touched it). */
  blocked = $state(false);
  /** Cues played since start (for tests and the wall's "last cue" hint). */
  played = $state(0);
}

export const audio = new AudioState();

let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor =
    typeof window === 'undefined'
      ? undefined
      : (window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext);
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    ctx = null;
  }
  return ctx;
}

export function setMuted(muted: boolean): void {
  audio.muted = muted;
  try {
    localStorage.setItem(STORAGE_KEY, muted ? '1' : '0');
  } catch {
    /* private mode: the switch lasts for this page */
  }
  if (!muted) unlockAudio();
}

/** Resume audio from a user gesture (browsers refuse to start sound otherwise). */
export function unlockAudio(): void {
  const c = context();
  if (!c) return;
  if (c.state === 'suspended') {
    void c.resume().then(
      () => {
        audio.blocked = false;
      },
      () => {},
    );
  } else {
    audio.blocked = false;
  }
}

/** Tone pattern of a cue: a warning is two short mid beeps, a breach three longer high ones. */
export function cuePattern(cue: Cue): { freq: number; start: number; duration: number }[] {
  if (cue === 'missed') {
    return [0, 0.32, 0.64].map((start) => ({ freq: 988, start, duration: 0.22 }));
  }
  return [0, 0.25].map((start) => ({ freq: 660, start, duration: 0.14 }));
}

/** Plays a cue unless muted. Returns whether sound was (probably) produced. */
export function playCue(cue: Cue): boolean {
  if (audio.muted) return false;
  const c = context();
  if (!c) return false;
  if (c.state === 'suspended') {
    audio.blocked = true;
    void c.resume().catch(() => {});
    if ((c.state as AudioContextState) === 'suspended') return false;
  }
  const t0 = c.currentTime + 0.02;
  for (const tone of cuePattern(cue)) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'sine';
    osc.frequency.value = tone.freq;
    // A soft attack and release: no clicks.
    gain.gain.setValueAtTime(0.0001, t0 + tone.start);
    gain.gain.exponentialRampToValueAtTime(0.35, t0 + tone.start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + tone.start + tone.duration);
    osc.connect(gain).connect(c.destination);
    osc.start(t0 + tone.start);
    osc.stop(t0 + tone.start + tone.duration + 0.02);
  }
  audio.played++;
  return true;
}

let gestureHooked = false;

/** Unlock audio on the first pointer or key press anywhere. */
export function hookAudioUnlock(): void {
  if (gestureHooked || typeof window === 'undefined') return;
  gestureHooked = true;
  const unlock = () => {
    unlockAudio();
    if (ctx && ctx.state === 'running') {
      window.removeEventListener('pointerdown', unlock, true);
      window.removeEventListener('keydown', unlock, true);
    }
  };
  window.addEventListener('pointerdown', unlock, true);
  window.addEventListener('keydown', unlock, true);
}
