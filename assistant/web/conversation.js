// The conversation in the page (gr.HTML js_on_load: Gradio provides `element`, `trigger` and `watch`).
// The server renders the HTML; this turns clicks into Gradio events, keeps the Sources the reader opened open, and
// puts focus where a keyboard user expects it once the new HTML is in the page (`watch` runs after each render).
const opened = new Set(); // aria-controls of the Sources lists the reader opened
let formTurn = null; // the answer whose feedback form is on the page
let messages = 0;
let wasBusy = false;
let focused = null; // the last element inside the conversation that had focus

const turnOf = (node) => Number(node.closest('[data-turn]').dataset.turn);

const setOpen = (toggle, open) => {
  const id = toggle.getAttribute('aria-controls');
  toggle.setAttribute('aria-expanded', String(open));
  const list = element.querySelector('[id="' + id + '"]');
  if (list) list.hidden = !open;
  if (open) opened.add(id);
  else opened.delete(id);
};

element.addEventListener('focusin', (event) => {
  focused = event.target;
});
element.addEventListener('focusout', (event) => {
  if (event.relatedTarget && !element.contains(event.relatedTarget)) focused = null;
});

element.addEventListener('click', (event) => {
  const target = event.target;
  const example = target.closest('button.example');
  if (example) {
    trigger('example_select', {index: Number(example.dataset.index), value: example.textContent});
    return;
  }
  const option = target.closest('button.option');
  if (option) {
    trigger('option_select', {index: [turnOf(option), Number(option.dataset.index)], value: option.textContent});
    return;
  }
  const toggle = target.closest('button.sources-toggle');
  if (toggle) {
    setOpen(toggle, toggle.getAttribute('aria-expanded') !== 'true');
    return;
  }
  const thumb = target.closest('button.thumb');
  if (thumb) {
    trigger('like', {index: turnOf(thumb), value: null, liked: thumb.dataset.rating === 'up'});
    return;
  }
  // clicking an answer, or one of its [n] links, shows that answer's quotes in the document view
  const answer = target.closest('.msg.bot[data-turn]');
  if (answer && !target.closest('button, input, textarea, label')) {
    trigger('select', {index: turnOf(answer), value: null, selected: true});
  }
});

element.addEventListener('submit', (event) => {
  const form = event.target.closest('form.feedback');
  if (!form) return;
  event.preventDefault();
  const reason = form.querySelector('input[name="feedback-reason"]:checked');
  trigger('submit', {
    index: Number(form.dataset.turn),
    reason: reason ? reason.value : null,
    comment: form.querySelector('textarea').value,
  });
});

const settle = () => {
  element.querySelectorAll('button.sources-toggle').forEach((toggle) => {
    if (opened.has(toggle.getAttribute('aria-controls'))) setOpen(toggle, true);
  });
  const count = element.querySelectorAll('.msg').length;
  if (count === 0) opened.clear(); // a new conversation numbers its answers from 1 again
  const box = element.querySelector('.chat-box');
  const busy = element.querySelector('.log')?.getAttribute('aria-busy') === 'true';
  if (box && (count !== messages || busy || wasBusy)) {
    // follow a new answer, but never so far that its question and quotes leave the top while its prose comes in
    const asked = busy || wasBusy ? [...element.querySelectorAll('.msg.user')].pop() : null;
    const top = asked ? box.scrollTop + asked.getBoundingClientRect().top - box.getBoundingClientRect().top : Infinity;
    box.scrollTop = Math.min(box.scrollHeight, top);
  }
  messages = count;
  wasBusy = busy;

  // the element that had focus is gone (its part of the page was re-rendered away): focus lands somewhere useful
  const nowhere = !document.activeElement || document.activeElement === document.body;
  const lost = focused !== null && !focused.isConnected && nowhere;
  if (focused !== null && !focused.isConnected) focused = null;
  const form = element.querySelector('form.feedback');
  if (form) {
    if (form.dataset.turn !== formTurn) {
      // a thumbs down just opened the form: the reasons take focus (arrow keys move between them)
      form.reset();
      formTurn = form.dataset.turn;
      form.scrollIntoView({block: 'nearest'});
      form.querySelector('input[type="radio"]').focus();
    }
    return;
  }
  const closed = formTurn;
  formTurn = null;
  if (!lost) return;
  const thumb = closed === null ? null : element.querySelector('.msg.bot[data-turn="' + closed + '"] .thumb-down');
  (thumb || document.querySelector('#question textarea'))?.focus();
};

watch('value', settle);
settle();
