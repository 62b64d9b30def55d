/** The experiments that teach: each trains a few networks side by side on one dataset. */
import type { DatasetId } from './datasets.js';
import type { NetworkConfig } from './network.js';

export interface Run {
  readonly label: string;
  readonly config: NetworkConfig;
}

export interface Experiment {
  readonly id: string;
  readonly title: string;
  /** What to look at, in a sentence or two. */
  readonly lesson: string;
  readonly dataset: DatasetId;
  readonly runs: readonly Run[];
  /** Steps after which the lesson is visible. */
  readonly steps: number;
}

export const EXPERIMENTS: readonly Experiment[] = [
  {
    id: 'xor',
    title: 'XOR needs a hidden layer',
    lesson:
      'No straight line separates XOR: a single perceptron with a step function (Rosenblatt’s rule) keeps misclassifying at least one of the four points, while two layers with a differentiable activation reach 100%.',
    dataset: 'xor',
    runs: [
      {
        label: 'single perceptron, step function',
        config: {
          layers: 1,
          width: 1,
          activation: 'binary-step',
          init: 'xavier',
          learningRate: 0.1,
          seed: 3,
          rule: 'perceptron',
        },
      },
      {
        label: 'two layers, tanh',
        config: {
          layers: 2,
          width: 4,
          activation: 'tanh',
          init: 'xavier',
          learningRate: 0.5,
          seed: 3,
        },
      },
    ],
    steps: 300,
  },
  {
    id: 'vanishing',
    title: 'Vanishing gradients',
    lesson:
      'Ten layers deep, each sigmoid multiplies the backward signal by its derivative, at most 1/4: the first layer’s gradient is orders of magnitude smaller than the last one’s, and the net barely learns. ReLU passes the gradient through unchanged where it is active.',
    dataset: 'moons',
    runs: [
      {
        label: '10 layers, sigmoid (Xavier)',
        config: {
          layers: 10,
          width: 8,
          activation: 'sigmoid',
          init: 'xavier',
          learningRate: 0.3,
          seed: 7,
        },
      },
      {
        label: '10 layers, ReLU (He)',
        config: {
          layers: 10,
          width: 8,
          activation: 'relu',
          init: 'he',
          learningRate: 0.05,
          seed: 7,
        },
      },
    ],
    steps: 300,
  },
  {
    id: 'dying',
    title: 'Dying ReLU',
    lesson:
      'With a learning rate this high, early updates push some ReLU units to negative inputs for every point (here about a third of one layer): their gradient is exactly 0 from then on and they never recover. Leaky ReLU and ELU have a non-zero slope for x < 0, so all their units stay alive. Raise the rate further and whole ReLU layers die.',
    dataset: 'circles',
    runs: [
      {
        label: 'ReLU',
        config: { layers: 4, width: 16, activation: 'relu', init: 'he', learningRate: 1, seed: 2 },
      },
      {
        label: 'Leaky ReLU (0.01)',
        config: {
          layers: 4,
          width: 16,
          activation: 'leaky-relu',
          init: 'he',
          learningRate: 1,
          seed: 2,
        },
      },
      {
        label: 'ELU',
        config: { layers: 4, width: 16, activation: 'elu', init: 'he', learningRate: 1, seed: 2 },
      },
    ],
    steps: 200,
  },
];
