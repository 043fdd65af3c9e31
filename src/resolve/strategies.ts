// The build strategies Carbon knows and the orb jobs each provides.
export const STRATEGIES = {
  ecs: {
    description: 'build a Docker image, push it to ECR and deploy it to ECS',
    jobs: ['CarbonBuild'],
  },
} as const satisfies Record<string, { description: string; jobs: readonly string[] }>;

export type StrategyName = keyof typeof STRATEGIES;

export function isStrategy(name: string): name is StrategyName {
  return Object.hasOwn(STRATEGIES, name);
}
