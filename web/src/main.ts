import { mount } from 'svelte';
import { z } from 'zod';
import App from './App.svelte';
import { startTicker } from './lib/clock.svelte.ts';
import { i18n, locale } from './lib/i18n.svelte.ts';
import './app.css';

// zod probes `new Function` once to decide whether to JIT; the CSP forbids it, so say no up front.
z.config({ jitless: true });

document.documentElement.lang = locale(i18n.lang);
startTicker();

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');

export default mount(App, { target });
