// The portal's Alpine components. Alpine runs as its CSP build (the policy
// forbids eval), so the markup only names a component and its methods; what
// they do lives here. Loaded before Alpine, which fires alpine:init.
document.addEventListener("alpine:init", () => {
  // A message after an action: it goes by itself after a few seconds unless
  // it is an error (data-sticky), and can be closed.
  Alpine.data("toast", () => ({
    open: true,
    init() {
      if (!("sticky" in this.$el.dataset)) setTimeout(() => this.close(), 6000);
    },
    close() {
      this.open = false;
    },
  }));

  // A destructive action asks first, in a modal dialog (<dialog x-ref="dialog">).
  Alpine.data("confirm", () => ({
    ask() {
      this.$refs.dialog.showModal();
    },
    keep() {
      this.$refs.dialog.close();
    },
  }));
});
