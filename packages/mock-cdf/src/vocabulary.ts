// The words generated items are made of: plausible names, kinds and units of an industrial plant.

export const FILE_TYPES: readonly (readonly [string, string])[] = [
  ['pdf', 'application/pdf'],
  ['pdf', 'application/pdf'],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['dwg', 'image/vnd.dwg'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['txt', 'text/plain'],
  ['csv', 'text/csv'],
  ['zip', 'application/zip'],
];
export const DOC_KINDS = ['P&ID', 'Datasheet', 'Inspection report', 'Maintenance log', 'Isometric', 'Procedure', 'Photo'].map((title) => ({
  title,
  stem: title.replace(/\W/g, ''),
  folder: title.toLowerCase().replace(/\W+/g, '-'),
}));
export const AREAS = ['north', 'south', 'east', 'west', 'offshore'];
export const SOURCES = ['SharePoint', 'Documentum', 'SAP', 'FileShare', 'OSIsoft PI', 'Maximo'];
export const DISCIPLINES = ['mechanical', 'electrical', 'process', 'instrument', 'piping', 'structural'];
export const LABELS = ['approved', 'draft', 'superseded', 'critical', 'as-built'];
export const EQUIPMENT = ['Pump', 'Compressor', 'Separator', 'Heat exchanger', 'Valve', 'Tank', 'Motor'];
export const EVENT_TYPES: readonly (readonly [string, readonly string[]])[] = [
  ['workorder', ['corrective', 'preventive', 'inspection']],
  ['alarm', ['high', 'low', 'trip']],
  ['failure', ['leak', 'vibration', 'overheating']],
  ['maintenance', ['planned', 'unplanned']],
];
export const UNITS: readonly (readonly [string, string])[] = [
  ['degC', 'temperature:deg_c'],
  ['bar', 'pressure:bar'],
  ['m3/h', 'volume_flow_rate:m3-per-hr'],
  ['rpm', 'angular_velocity:rev-per-min'],
  ['%', 'dimensionless_ratio:percent'],
];
