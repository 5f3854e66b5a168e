import type { Instance, InstanceSource } from 'cdf-loader';

/** The core data model's file view: the node properties `File.node` shows. */
export const COGNITE_FILE_VIEW = { type: 'view', space: 'cdf_cdm', externalId: 'CogniteFile', version: 'v1' } as const;

/** The `sources` the server's instances loader sends with every request. */
export const FILE_NODE_SOURCES: InstanceSource[] = [{ source: COGNITE_FILE_VIEW }];

/** A `CogniteFile` node as the schema's `FileNode`. */
export interface FileNode {
  space: string;
  externalId: string;
  version: number;
  name: string | null;
  mimeType: string | null;
  directory: string | null;
}

/** The node's identity and the values it has in the `CogniteFile` view (null where it has none). */
export function fileNodeOf(instance: Instance | null): FileNode | null {
  if (instance === null || instance.instanceType !== 'node') return null;
  const values = instance.properties?.[COGNITE_FILE_VIEW.space]?.[`${COGNITE_FILE_VIEW.externalId}/${COGNITE_FILE_VIEW.version}`] ?? {};
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    space: instance.space,
    externalId: instance.externalId,
    version: instance.version,
    name: text(values.name),
    mimeType: text(values.mimeType),
    directory: text(values.directory),
  };
}
