// Boot scripts and the app's source are bundled as text (esbuild's text loader at synth, a text
// transform under jest): importing one gives its content.
declare module '*.sh' {
  const text: string;
  export default text;
}
declare module '*.py' {
  const text: string;
  export default text;
}
