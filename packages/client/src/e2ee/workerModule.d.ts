// Vite bundles `?worker&inline` imports into a Blob-URL worker inside the SDK's one ESM file.
declare module '*?worker&inline' {
  const WorkerFactory: new (options?: { name?: string }) => Worker;
  export default WorkerFactory;
}
