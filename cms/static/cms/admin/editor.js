// The Wagtail admin made quicker and fully Chinese for a base's editors (cms.wagtail_hooks).

// In an image or document chooser's "Upload" tab, choosing a file uploads it at once: the title
// comes from the file's name, as Wagtail fills it, so the extra click on "Upload" only slowed
// editors down. A title typed before choosing the file is kept.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.files.length) {
    return;
  }
  const form = input.closest("form[data-chooser-modal-creation-form]");
  if (!form) {
    return;
  }
  // Let Wagtail copy the file name into the title first (it listens to the same change).
  window.setTimeout(() => {
    const title = form.querySelector("input[name$='-title']");
    if (title && !title.value.trim()) {
      title.value = input.files[0].name.replace(/\.[^.]+$/, "").slice(0, 255);
    }
    form.requestSubmit();
  }, 50);
});

// Wagtail's header names its button bar "Actions" in English, outside any catalogue.
const actionsLabel = document.currentScript && document.currentScript.dataset.actionsLabel;
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.getElementById("w-slim-header-buttons");
  if (nav && actionsLabel) {
    nav.setAttribute("aria-label", actionsLabel);
  }
});

// A page being created is not autosaved. Wagtail's first autosave creates the page; a "Publish"
// clicked while it is on its way posts to the "add" address again and makes a second page, and
// a form left half-filled would leave a stray draft in the base's tree.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("page-edit-form");
  if (form && /\/pages\/add\//.test(form.getAttribute("action") || "")) {
    form.setAttribute("data-w-autosave-active-value", "false");
  }
});
