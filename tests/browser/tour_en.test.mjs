// The tour in English (tour.mjs); a file of its own so that it runs beside
// the Chinese one.
import { tour } from './tour.mjs'

tour({ langs: ['en'] })
