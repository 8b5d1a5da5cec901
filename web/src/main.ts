import { mount } from 'svelte';
import App from './App.svelte';
import { startTicker } from './lib/clock.svelte.ts';
import { i18n, locale } from './lib/i18n.svelte.ts';
import './app.css';

document.documentElement.lang = locale(i18n.lang);
startTicker();

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');

export default mount(App, { target });
