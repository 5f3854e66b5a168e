/** A fresh process for one run (see `runFresh`): argv holds the module and export, IPC the arguments. */
const [module, name] = process.argv.slice(2) as [string, string];
process.once('message', (message: { args: unknown }) => {
  void (async () => {
    try {
      const exported = (await import(module)) as Record<string, (args: unknown) => Promise<unknown>>;
      const result = await exported[name]!(message.args);
      process.send!({ result }, () => process.disconnect());
    } catch (error) {
      process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.disconnect());
    }
  })();
});
