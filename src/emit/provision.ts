// The CarbonBuild parameters of a build's environment step (build.provision): which step runs after
// the push, and what it is given. Parameters reach the orb's scripts through `environment:`.
import type { BuildPlan } from '../resolve/model.ts';
import type { YamlValue } from './yaml.ts';

export function provisionParameters(build: BuildPlan): { [key: string]: YamlValue } {
  const provision = build.provision;
  if (provision === undefined) return {};
  if (provision.kind === 'hook') return { provision: 'hook', provision_hook: provision.hook };
  const parameters: { [key: string]: YamlValue } = {
    provision: 'cloudformation',
    cloudformation_template: provision.template,
    cloudformation_stack: provision.stack,
  };
  const pairs = Object.entries(provision.parameters).map(([name, value]) => `${name}=${value}`);
  if (pairs.length > 0) parameters['cloudformation_parameters'] = pairs.join('\n');
  if (provision.capabilities.length > 0)
    parameters['cloudformation_capabilities'] = provision.capabilities.join(' ');
  return parameters;
}
