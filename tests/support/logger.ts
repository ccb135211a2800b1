/** A logger of the shape every part takes, whose four methods are spies. */
import { vi } from 'vitest'

export const spyLogger = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() })
