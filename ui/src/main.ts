import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

async function start() {
  // Dev-only pretend backend for a plain browser; `import.meta.env.MODE` is replaced at build
  // time, so the real build drops this branch and the module with it.
  if (import.meta.env.MODE === 'mock') {
    const mock = await import('./lib/devmock');
    const params = new URLSearchParams(location.search);
    mock.installMockBackend(params.get('scene'), params.get('lang'));
    mount(App, { target: document.getElementById('app')! });
    await mock.playScene(params.get('scene'));
    return;
  }
  // The customer display is a route of the same app, in its own window.
  if (location.hash === '#customer') {
    const { default: CustomerDisplay } = await import('./customer/CustomerDisplay.svelte');
    mount(CustomerDisplay, { target: document.getElementById('app')! });
    return;
  }
  mount(App, { target: document.getElementById('app')! });
}

void start();
