import { errorAnswer, jsonAnswer, type Answer } from './answers.js';
import type { DirectRelation, FileItem, InstanceItem, InstanceProperties } from './items.js';
import { isRecord } from './identifiers.js';
import { badRequest, cdfError, checkItems, duplicatesOf, violationsMessage } from './validation.js';

/** Most instances one `models/instances/byids` request may name. */
export const MAX_INSTANCES = 1000;
/** Most distinct views one request's `sources` may name. */
export const MAX_SOURCES = 10;

/** The views the fake's instances have data in. */
export const VIEWS = {
  describable: { type: 'view', space: 'cdf_cdm', externalId: 'CogniteDescribable', version: 'v1' },
  file: { type: 'view', space: 'cdf_cdm', externalId: 'CogniteFile', version: 'v1' },
} as const;

const SPACE_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$/;
const RELATED_FILE: DirectRelation = { space: 'cdf_cdm', externalId: 'CogniteFile.related' };
/** Every this-many file nodes, one edge to the next: a few edges among the nodes. */
const EDGE_EVERY = 10;

/**
 * The data-modeling instances behind the files: a `CogniteFile` node for every file with an
 * `instanceId` (same space and externalId, with its name, MIME type and directory), and an edge
 * from every tenth such node to the next. Derived from the files, so they draw nothing from the
 * data's random generator.
 */
export function instancesOf(files: readonly FileItem[]): InstanceItem[] {
  const nodes: InstanceItem[] = [];
  for (const file of files) {
    if (file.instanceId === undefined) continue;
    const described = { name: file.name, description: null, tags: [] };
    const fileData: Record<string, unknown> = { name: file.name, mimeType: file.mimeType ?? null, directory: file.directory ?? null };
    nodes.push({
      instanceType: 'node',
      ...file.instanceId,
      version: 1,
      createdTime: file.createdTime,
      lastUpdatedTime: file.lastUpdatedTime,
      viewData: { [viewKey(VIEWS.describable)]: described, [viewKey(VIEWS.file)]: fileData },
    });
  }
  const edges: InstanceItem[] = [];
  for (let index = 0; index + 1 < nodes.length; index += EDGE_EVERY) {
    const [start, end] = [nodes[index]!, nodes[index + 1]!];
    edges.push({
      instanceType: 'edge',
      space: start.space,
      externalId: `related.${start.externalId}`.slice(0, 255),
      version: 1,
      createdTime: start.createdTime,
      lastUpdatedTime: start.lastUpdatedTime,
      type: RELATED_FILE,
      startNode: { space: start.space, externalId: start.externalId },
      endNode: { space: end.space, externalId: end.externalId },
      viewData: {},
    });
  }
  return [...nodes, ...edges];
}

/** The key of an instance reference, NUL-separated (a NUL is in no part). */
export function instanceRefKey(ref: { instanceType: unknown; space: unknown; externalId: unknown }): string {
  return `${String(ref.instanceType)}\u0000${String(ref.space)}\u0000${String(ref.externalId)}`;
}

/**
 * Answers `POST models/instances/byids` as CDF does: 1..1000 unique `{ instanceType, space,
 * externalId }`, `sources` of at most 10 distinct views (an unknown view is a 400), and
 * `includeTyping`; unknown instances are simply absent from `items`, whatever the flags.
 */
export function answerInstances(find: (key: string) => InstanceItem | undefined, body: { value: unknown } | undefined): Answer {
  if (body === undefined) return errorAnswer(400, 'Unable to parse the request body as JSON');
  const request = body.value;
  if (!isRecord(request)) return jsonAnswer(400, badRequest('Request body must be a JSON object').body);
  const violations: string[] = [];
  for (const key of Object.keys(request)) if (!['items', 'sources', 'includeTyping'].includes(key)) violations.push(`${key} is not a recognized field`);
  checkItems(request.items, MAX_INSTANCES, violations, (item, at) => checkInstanceRef(item, at, violations));
  const views = checkSources(request.sources, violations);
  if (request.includeTyping !== undefined && typeof request.includeTyping !== 'boolean') violations.push('includeTyping must be a boolean');
  if (violations.length > 0) return jsonAnswer(400, cdfError(400, violationsMessage(violations)));
  const refs = request.items as { instanceType: string; space: string; externalId: string }[];
  const duplicated = duplicatesOf(refs, instanceRefKey);
  if (duplicated.length > 0) return jsonAnswer(400, cdfError(400, 'Instances duplicated', { duplicated }));
  const unknownViews = views.filter((view) => !Object.values(VIEWS).some((known) => viewKey(known) === viewKey(view)));
  if (unknownViews.length > 0) return errorAnswer(400, `One or more views do not exist: ${unknownViews.map(viewKey).join(', ')}`);

  const items: unknown[] = [];
  for (const ref of refs) {
    const instance = find(instanceRefKey(ref));
    if (instance !== undefined) items.push(answerOf(instance, views));
  }
  return jsonAnswer(200, request.includeTyping === true ? { items, typing: {} } : { items }, items.length);
}

type View = { space: string; externalId: string; version: string };

function viewKey(view: View): string {
  return `${view.space}:${view.externalId}/${view.version}`;
}

/** An instance as CDF sends it: `properties` hold the values of the requested views it has data in. */
function answerOf(instance: InstanceItem, views: readonly View[]): Record<string, unknown> {
  const { viewData, ...fields } = instance;
  const properties: InstanceProperties = {};
  for (const view of views) {
    const values = viewData[viewKey(view)];
    if (values === undefined) continue;
    (properties[view.space] ??= {})[`${view.externalId}/${view.version}`] = values;
  }
  return { ...fields, properties };
}

function checkInstanceRef(item: unknown, at: string, violations: string[]): void {
  if (!isRecord(item)) {
    violations.push(`${at} must be an object`);
    return;
  }
  for (const key of Object.keys(item)) if (!['instanceType', 'space', 'externalId'].includes(key)) violations.push(`${at}.${key} is not a recognized field`);
  if (item.instanceType !== 'node' && item.instanceType !== 'edge') violations.push(`${at}.instanceType must be node or edge`);
  if (typeof item.space !== 'string' || !SPACE_PATTERN.test(item.space)) violations.push(`${at}.space must match ${SPACE_PATTERN.source}`);
  const { externalId } = item;
  if (typeof externalId !== 'string' || externalId.length < 1 || externalId.length > 256 || externalId.includes('\u0000')) {
    violations.push(`${at}.externalId must be a string of 1 to 256 characters without NUL`);
  }
}

/** The views `sources` names (checked), or [] when absent. */
function checkSources(sources: unknown, violations: string[]): View[] {
  if (sources === undefined) return [];
  if (!Array.isArray(sources)) {
    violations.push('sources must be an array');
    return [];
  }
  const views: View[] = [];
  sources.forEach((entry, index) => {
    const view = isRecord(entry) ? entry.source : undefined;
    if (!isRecord(view) || view.type !== 'view' || typeof view.space !== 'string' || typeof view.externalId !== 'string' || typeof view.version !== 'string') {
      violations.push(`sources[${index}].source must be a view reference { type: 'view', space, externalId, version }`);
      return;
    }
    views.push({ space: view.space, externalId: view.externalId, version: view.version });
  });
  if (new Set(views.map(viewKey)).size > MAX_SOURCES) violations.push(`sources must name at most ${MAX_SOURCES} distinct views`);
  return views;
}
