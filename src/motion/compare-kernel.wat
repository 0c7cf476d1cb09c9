;; The detector's per-pixel comparison (compare-kernel.ts holds the JavaScript reference and says
;; what it computes), in WebAssembly SIMD: one 8-pixel cell row is one i16x8 vector, so a frame of
;; 320×180 is 7,200 vector steps instead of 57,600 scalar ones. Results are bit-for-bit those of the
;; JavaScript kernel (a unit test compares them on random frames and masks).
;;
;; Requires cells of 8 pixels and a width that is a multiple of 8 (every cell a full vector wide);
;; compare-kernel.ts falls back to the JavaScript kernel otherwise.
;; Rebuild the bytes after editing: `npm run build:wasm` (writes compare-kernel-bytes.ts).
(module
  (import "env" "memory" (memory 1))
  ;; frame: luma bytes; bg: u16 8.8 background; hit: u8 0/1 out; use: u8 0/1 analysed pixels;
  ;; whole: u8 per cell (1 = no masked pixel); thr: i32 per cell; changed, diff: i32 per cell out.
  (func (export "compare")
    (param $frame i32) (param $bg i32) (param $hit i32) (param $use i32) (param $whole i32)
    (param $thr i32) (param $changed i32) (param $diff i32)
    (param $width i32) (param $height i32) (param $offset i32) (param $parity i32)
    (local $cols i32) (local $rowCell i32) (local $y0 i32) (local $y1 i32) (local $y i32)
    (local $cx i32) (local $c i32) (local $p i32) (local $masked i32)
    (local $off v128) (local $t v128) (local $sum v128) (local $cnt v128)
    (local $f v128) (local $b v128) (local $d v128) (local $m v128)
    (local $lo v128) (local $hi v128)
    (local.set $cols (i32.shr_u (local.get $width) (i32.const 3)))
    (local.set $off (i16x8.splat (local.get $offset)))
    (local.set $y0 (i32.const 0))
    (local.set $rowCell (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $y0) (local.get $height)))
        (local.set $y1 (select (i32.add (local.get $y0) (i32.const 8)) (local.get $height)
          (i32.lt_u (i32.add (local.get $y0) (i32.const 8)) (local.get $height))))
        (local.set $cx (i32.const 0))
        (block $cells_done
          (loop $cells
            (br_if $cells_done (i32.ge_u (local.get $cx) (local.get $cols)))
            (local.set $c (i32.add (local.get $rowCell) (local.get $cx)))
            (local.set $t (i16x8.splat (i32.load (i32.add (local.get $thr) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $masked (i32.eqz (i32.load8_u (i32.add (local.get $whole) (local.get $c)))))
            (local.set $sum (v128.const i16x8 0 0 0 0 0 0 0 0))
            (local.set $cnt (v128.const i16x8 0 0 0 0 0 0 0 0))
            (local.set $y (local.get $y0))
            (block $px_done
              (loop $px
                (br_if $px_done (i32.ge_u (local.get $y) (local.get $y1)))
                (local.set $p (i32.add (i32.mul (local.get $y) (local.get $width)) (i32.shl (local.get $cx) (i32.const 3))))
                (local.set $f (v128.load8x8_u align=1 (i32.add (local.get $frame) (local.get $p))))
                (local.set $b (v128.load align=2 (i32.add (local.get $bg) (i32.shl (local.get $p) (i32.const 1)))))
                ;; d = |f − (b >> 8) − offset|, masked pixels 0
                (local.set $d (i16x8.abs (i16x8.sub (i16x8.sub (local.get $f) (i16x8.shr_u (local.get $b) (i32.const 8))) (local.get $off))))
                (if (local.get $masked)
                  (then (local.set $d (v128.and (local.get $d)
                    (i16x8.neg (v128.load8x8_u align=1 (i32.add (local.get $use) (local.get $p))))))))
                (local.set $sum (i16x8.add (local.get $sum) (local.get $d)))
                ;; m = −1 where the pixel changed
                (local.set $m (i16x8.gt_s (local.get $d) (local.get $t)))
                (local.set $cnt (i16x8.sub (local.get $cnt) (local.get $m)))
                (v128.store64_lane align=1 0 (i32.add (local.get $hit) (local.get $p))
                  (v128.and (i8x16.narrow_i16x8_s (local.get $m) (local.get $m)) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
                ;; Half the rows learn each frame: b += ((f << 8) − b) >> (changed ? 6 : 3), in i32 lanes.
                (if (i32.eqz (i32.and (i32.xor (local.get $y) (local.get $parity)) (i32.const 1)))
                  (then
                    (local.set $lo (i32x4.sub (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $f)) (i32.const 8))
                      (i32x4.extend_low_i16x8_u (local.get $b))))
                    (local.set $hi (i32x4.sub (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $f)) (i32.const 8))
                      (i32x4.extend_high_i16x8_u (local.get $b))))
                    (local.set $lo (i32x4.add (i32x4.extend_low_i16x8_u (local.get $b))
                      (v128.bitselect (i32x4.shr_s (local.get $lo) (i32.const 6)) (i32x4.shr_s (local.get $lo) (i32.const 3))
                        (i32x4.extend_low_i16x8_s (local.get $m)))))
                    (local.set $hi (i32x4.add (i32x4.extend_high_i16x8_u (local.get $b))
                      (v128.bitselect (i32x4.shr_s (local.get $hi) (i32.const 6)) (i32x4.shr_s (local.get $hi) (i32.const 3))
                        (i32x4.extend_high_i16x8_s (local.get $m)))))
                    (v128.store align=2 (i32.add (local.get $bg) (i32.shl (local.get $p) (i32.const 1)))
                      (i16x8.narrow_i32x4_u (local.get $lo) (local.get $hi)))))
                (local.set $y (i32.add (local.get $y) (i32.const 1)))
                (br $px)))
            ;; Per-cell totals: at most 8 rows × 510 per lane, so the i16 lanes cannot overflow.
            (local.set $sum (i32x4.extadd_pairwise_i16x8_s (local.get $sum)))
            (local.set $cnt (i32x4.extadd_pairwise_i16x8_s (local.get $cnt)))
            (i32.store (i32.add (local.get $diff) (i32.shl (local.get $c) (i32.const 2)))
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $sum)) (i32x4.extract_lane 1 (local.get $sum)))
                (i32.add (i32x4.extract_lane 2 (local.get $sum)) (i32x4.extract_lane 3 (local.get $sum)))))
            (i32.store (i32.add (local.get $changed) (i32.shl (local.get $c) (i32.const 2)))
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
                (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt)))))
            (local.set $cx (i32.add (local.get $cx) (i32.const 1)))
            (br $cells)))
        (local.set $y0 (i32.add (local.get $y0) (i32.const 8)))
        (local.set $rowCell (i32.add (local.get $rowCell) (local.get $cols)))
        (br $rows)))))
