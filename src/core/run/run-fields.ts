import { z } from "zod";

/** Fields a run and its events share. */
export const isoTime = z.iso.datetime();
export const userId = z.string().min(1);
