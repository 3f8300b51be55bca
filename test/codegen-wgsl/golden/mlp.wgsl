// k0_gemm_0
// %"/fc1/Gemm_output_0" = gemm(%input, %fc1.weight, %fc1.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 512] loc("/fc1/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;
var<workgroup> gemm0_a_tile: array<f32, 1024>;
var<workgroup> gemm0_b_tile: array<f32, 1024>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lidx: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = 4i;
  let in_b: i32 = 0i;
  let in_c: i32 = 401408i;
  let out: i32 = (4i + (s_N * 784i)) + (s_N * 10i);
  let flat = i32(wid.x + wid.y * nwg.x);
  if (flat >= ((s_N + 63i) / 64i) * 8i) { return; }
  let gemm0_tile_row: i32 = flat / 8i;
  let gemm0_tile_col: i32 = flat % 8i;
  let local_id: i32 = i32(lidx);
  let gemm0_r0: i32 = gemm0_tile_row * 64i;
  let gemm0_c0: i32 = gemm0_tile_col * 64i;
  let gemm0_ty: i32 = (local_id / 16i) * 4i;
  let gemm0_tx: i32 = (local_id % 16i) * 4i;
  var gemm0_acc0_0: f32 = 0.0f;
  var gemm0_acc0_1: f32 = 0.0f;
  var gemm0_acc0_2: f32 = 0.0f;
  var gemm0_acc0_3: f32 = 0.0f;
  var gemm0_acc1_0: f32 = 0.0f;
  var gemm0_acc1_1: f32 = 0.0f;
  var gemm0_acc1_2: f32 = 0.0f;
  var gemm0_acc1_3: f32 = 0.0f;
  var gemm0_acc2_0: f32 = 0.0f;
  var gemm0_acc2_1: f32 = 0.0f;
  var gemm0_acc2_2: f32 = 0.0f;
  var gemm0_acc2_3: f32 = 0.0f;
  var gemm0_acc3_0: f32 = 0.0f;
  var gemm0_acc3_1: f32 = 0.0f;
  var gemm0_acc3_2: f32 = 0.0f;
  var gemm0_acc3_3: f32 = 0.0f;
  for (var gemm0_kt: i32 = 0i; gemm0_kt < 49i; gemm0_kt++) {
    let gemm0_k0: i32 = gemm0_kt * 16i;
    for (var gemm0_sa: i32 = 0i; gemm0_sa < ((1024i - local_id) + 255i) / 256i; gemm0_sa++) {
      let gemm0_sa_e: i32 = local_id + (gemm0_sa * 256i);
      let gemm0_ar: i32 = gemm0_sa_e / 16i;
      let gemm0_ak: i32 = gemm0_sa_e % 16i;
      gemm0_a_tile[(gemm0_ar * 16i) + gemm0_ak] = select(0.0f, bitcast<f32>(data[in_a + select(0i, ((gemm0_r0 + gemm0_ar) * 784i) + (gemm0_k0 + gemm0_ak), ((gemm0_r0 + gemm0_ar) < s_N) && ((gemm0_k0 + gemm0_ak) < 784i))]), ((gemm0_r0 + gemm0_ar) < s_N) && ((gemm0_k0 + gemm0_ak) < 784i));
    }
    for (var gemm0_sb: i32 = 0i; gemm0_sb < ((1024i - local_id) + 255i) / 256i; gemm0_sb++) {
      let gemm0_sb_e: i32 = local_id + (gemm0_sb * 256i);
      let gemm0_bk: i32 = gemm0_sb_e % 16i;
      let gemm0_bc: i32 = gemm0_sb_e / 16i;
      gemm0_b_tile[(gemm0_bk * 64i) + gemm0_bc] = select(0.0f, bitcast<f32>(params[in_b + select(0i, (gemm0_k0 + gemm0_bk) + ((gemm0_c0 + gemm0_bc) * 784i), ((gemm0_k0 + gemm0_bk) < 784i) && ((gemm0_c0 + gemm0_bc) < 512i))]), ((gemm0_k0 + gemm0_bk) < 784i) && ((gemm0_c0 + gemm0_bc) < 512i));
    }
    workgroupBarrier();
    if (((gemm0_r0 + gemm0_ty) < s_N) && ((gemm0_c0 + gemm0_tx) < 512i)) {
      for (var gemm0_kk: i32 = 0i; gemm0_kk < min(16i, 784i - gemm0_k0); gemm0_kk++) {
        let gemm0_a0: f32 = gemm0_a_tile[(gemm0_ty * 16i) + gemm0_kk];
        let gemm0_a1: f32 = gemm0_a_tile[((gemm0_ty + 1i) * 16i) + gemm0_kk];
        let gemm0_a2: f32 = gemm0_a_tile[((gemm0_ty + 2i) * 16i) + gemm0_kk];
        let gemm0_a3: f32 = gemm0_a_tile[((gemm0_ty + 3i) * 16i) + gemm0_kk];
        let gemm0_b0: f32 = gemm0_b_tile[(gemm0_kk * 64i) + gemm0_tx];
        let gemm0_b1: f32 = gemm0_b_tile[(gemm0_kk * 64i) + (gemm0_tx + 1i)];
        let gemm0_b2: f32 = gemm0_b_tile[(gemm0_kk * 64i) + (gemm0_tx + 2i)];
        let gemm0_b3: f32 = gemm0_b_tile[(gemm0_kk * 64i) + (gemm0_tx + 3i)];
        gemm0_acc0_0 = gemm0_acc0_0 + (gemm0_a0 * gemm0_b0);
        gemm0_acc0_1 = gemm0_acc0_1 + (gemm0_a0 * gemm0_b1);
        gemm0_acc0_2 = gemm0_acc0_2 + (gemm0_a0 * gemm0_b2);
        gemm0_acc0_3 = gemm0_acc0_3 + (gemm0_a0 * gemm0_b3);
        gemm0_acc1_0 = gemm0_acc1_0 + (gemm0_a1 * gemm0_b0);
        gemm0_acc1_1 = gemm0_acc1_1 + (gemm0_a1 * gemm0_b1);
        gemm0_acc1_2 = gemm0_acc1_2 + (gemm0_a1 * gemm0_b2);
        gemm0_acc1_3 = gemm0_acc1_3 + (gemm0_a1 * gemm0_b3);
        gemm0_acc2_0 = gemm0_acc2_0 + (gemm0_a2 * gemm0_b0);
        gemm0_acc2_1 = gemm0_acc2_1 + (gemm0_a2 * gemm0_b1);
        gemm0_acc2_2 = gemm0_acc2_2 + (gemm0_a2 * gemm0_b2);
        gemm0_acc2_3 = gemm0_acc2_3 + (gemm0_a2 * gemm0_b3);
        gemm0_acc3_0 = gemm0_acc3_0 + (gemm0_a3 * gemm0_b0);
        gemm0_acc3_1 = gemm0_acc3_1 + (gemm0_a3 * gemm0_b1);
        gemm0_acc3_2 = gemm0_acc3_2 + (gemm0_a3 * gemm0_b2);
        gemm0_acc3_3 = gemm0_acc3_3 + (gemm0_a3 * gemm0_b3);
      }
    }
    workgroupBarrier();
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && ((gemm0_c0 + gemm0_tx) < 512i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 512i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 512i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 512i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && ((gemm0_c0 + gemm0_tx) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && ((gemm0_c0 + gemm0_tx) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && ((gemm0_c0 + gemm0_tx) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 512i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
}

// k0_gemm_1
// %"/fc1/Gemm_output_0" = gemm(%input, %fc1.weight, %fc1.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 512] loc("/fc1/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = 4i;
  let in_b: i32 = 0i;
  let in_c: i32 = 401408i;
  let out: i32 = (4i + (s_N * 784i)) + (s_N * 10i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= s_N * 512i) { return; }
  let gemm0_row: i32 = flat / 512i;
  let gemm0_col: i32 = flat % 512i;
  var gemm0_row_acc: f32 = 0.0f;
  for (var gemm0_row_k: i32 = 0i; gemm0_row_k < 784i; gemm0_row_k++) {
    gemm0_row_acc = gemm0_row_acc + (bitcast<f32>(data[in_a + ((gemm0_row * 784i) + gemm0_row_k)]) * bitcast<f32>(params[in_b + (gemm0_row_k + (gemm0_col * 784i))]));
  }
  data[out + ((gemm0_row * 512i) + gemm0_col)] = bitcast<u32>(gemm0_row_acc + bitcast<f32>(params[in_c + gemm0_col]));
}

// k1_relu
// %"/Relu_output_0" = relu(%"/fc1/Gemm_output_0") : f32[N, 512] loc("/Relu")
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in0: i32 = (4i + (s_N * 784i)) + (s_N * 10i);
  let out: i32 = ((4i + (s_N * 784i)) + (s_N * 10i)) + ((2048i * s_N) / 4i);
  let flat = i32(gid.x + gid.y * nwg.x * 256u);
  if (flat >= s_N * 512i) { return; }
  let i0: i32 = flat;
  let a0: f32 = bitcast<f32>(data[in0 + i0]);
  let t0: f32 = select(a0, 0.0f, a0 < 0.0f);
  data[out + i0] = bitcast<u32>(t0);
}

// k2_gemm_0
// %"/fc2/Gemm_output_0" = gemm(%"/Relu_output_0", %fc2.weight, %fc2.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 256] loc("/fc2/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;
var<workgroup> gemm0_a_tile: array<f32, 1024>;
var<workgroup> gemm0_b_tile: array<f32, 1024>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lidx: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = ((4i + (s_N * 784i)) + (s_N * 10i)) + ((2048i * s_N) / 4i);
  let in_b: i32 = 401920i;
  let in_c: i32 = 532992i;
  let out: i32 = (4i + (s_N * 784i)) + (s_N * 10i);
  let flat = i32(wid.x + wid.y * nwg.x);
  if (flat >= ((s_N + 63i) / 64i) * 4i) { return; }
  let gemm0_tile_row: i32 = flat / 4i;
  let gemm0_tile_col: i32 = flat % 4i;
  let local_id: i32 = i32(lidx);
  let gemm0_r0: i32 = gemm0_tile_row * 64i;
  let gemm0_c0: i32 = gemm0_tile_col * 64i;
  let gemm0_ty: i32 = (local_id / 16i) * 4i;
  let gemm0_tx: i32 = (local_id % 16i) * 4i;
  var gemm0_acc0_0: f32 = 0.0f;
  var gemm0_acc0_1: f32 = 0.0f;
  var gemm0_acc0_2: f32 = 0.0f;
  var gemm0_acc0_3: f32 = 0.0f;
  var gemm0_acc1_0: f32 = 0.0f;
  var gemm0_acc1_1: f32 = 0.0f;
  var gemm0_acc1_2: f32 = 0.0f;
  var gemm0_acc1_3: f32 = 0.0f;
  var gemm0_acc2_0: f32 = 0.0f;
  var gemm0_acc2_1: f32 = 0.0f;
  var gemm0_acc2_2: f32 = 0.0f;
  var gemm0_acc2_3: f32 = 0.0f;
  var gemm0_acc3_0: f32 = 0.0f;
  var gemm0_acc3_1: f32 = 0.0f;
  var gemm0_acc3_2: f32 = 0.0f;
  var gemm0_acc3_3: f32 = 0.0f;
  for (var gemm0_kt: i32 = 0i; gemm0_kt < 32i; gemm0_kt++) {
    let gemm0_k0: i32 = gemm0_kt * 16i;
    for (var gemm0_sa: i32 = 0i; gemm0_sa < ((1024i - local_id) + 255i) / 256i; gemm0_sa++) {
      let gemm0_sa_e: i32 = local_id + (gemm0_sa * 256i);
      let gemm0_ar: i32 = gemm0_sa_e / 16i;
      let gemm0_ak: i32 = gemm0_sa_e % 16i;
      gemm0_a_tile[(gemm0_ar * 16i) + gemm0_ak] = select(0.0f, bitcast<f32>(data[in_a + select(0i, ((gemm0_r0 + gemm0_ar) * 512i) + (gemm0_k0 + gemm0_ak), ((gemm0_r0 + gemm0_ar) < s_N) && ((gemm0_k0 + gemm0_ak) < 512i))]), ((gemm0_r0 + gemm0_ar) < s_N) && ((gemm0_k0 + gemm0_ak) < 512i));
    }
    for (var gemm0_sb: i32 = 0i; gemm0_sb < ((1024i - local_id) + 255i) / 256i; gemm0_sb++) {
      let gemm0_sb_e: i32 = local_id + (gemm0_sb * 256i);
      let gemm0_bk: i32 = gemm0_sb_e % 16i;
      let gemm0_bc: i32 = gemm0_sb_e / 16i;
      gemm0_b_tile[(gemm0_bk * 64i) + gemm0_bc] = select(0.0f, bitcast<f32>(params[in_b + select(0i, (gemm0_k0 + gemm0_bk) + ((gemm0_c0 + gemm0_bc) * 512i), ((gemm0_k0 + gemm0_bk) < 512i) && ((gemm0_c0 + gemm0_bc) < 256i))]), ((gemm0_k0 + gemm0_bk) < 512i) && ((gemm0_c0 + gemm0_bc) < 256i));
    }
    workgroupBarrier();
    if (((gemm0_r0 + gemm0_ty) < s_N) && ((gemm0_c0 + gemm0_tx) < 256i)) {
      for (var gemm0_kk: i32 = 0i; gemm0_kk < min(16i, 512i - gemm0_k0); gemm0_kk++) {
        let gemm0_a0: f32 = gemm0_a_tile[(gemm0_ty * 16i) + gemm0_kk];
        let gemm0_a1: f32 = gemm0_a_tile[((gemm0_ty + 1i) * 16i) + gemm0_kk];
        let gemm0_a2: f32 = gemm0_a_tile[((gemm0_ty + 2i) * 16i) + gemm0_kk];
        let gemm0_a3: f32 = gemm0_a_tile[((gemm0_ty + 3i) * 16i) + gemm0_kk];
        let gemm0_b0: f32 = gemm0_b_tile[(gemm0_kk * 64i) + gemm0_tx];
        let gemm0_b1: f32 = gemm0_b_tile[(gemm0_kk * 64i) + (gemm0_tx + 1i)];
        let gemm0_b2: f32 = gemm0_b_tile[(gemm0_kk * 64i) + (gemm0_tx + 2i)];
        let gemm0_b3: f32 = gemm0_b_tile[(gemm0_kk * 64i) + (gemm0_tx + 3i)];
        gemm0_acc0_0 = gemm0_acc0_0 + (gemm0_a0 * gemm0_b0);
        gemm0_acc0_1 = gemm0_acc0_1 + (gemm0_a0 * gemm0_b1);
        gemm0_acc0_2 = gemm0_acc0_2 + (gemm0_a0 * gemm0_b2);
        gemm0_acc0_3 = gemm0_acc0_3 + (gemm0_a0 * gemm0_b3);
        gemm0_acc1_0 = gemm0_acc1_0 + (gemm0_a1 * gemm0_b0);
        gemm0_acc1_1 = gemm0_acc1_1 + (gemm0_a1 * gemm0_b1);
        gemm0_acc1_2 = gemm0_acc1_2 + (gemm0_a1 * gemm0_b2);
        gemm0_acc1_3 = gemm0_acc1_3 + (gemm0_a1 * gemm0_b3);
        gemm0_acc2_0 = gemm0_acc2_0 + (gemm0_a2 * gemm0_b0);
        gemm0_acc2_1 = gemm0_acc2_1 + (gemm0_a2 * gemm0_b1);
        gemm0_acc2_2 = gemm0_acc2_2 + (gemm0_a2 * gemm0_b2);
        gemm0_acc2_3 = gemm0_acc2_3 + (gemm0_a2 * gemm0_b3);
        gemm0_acc3_0 = gemm0_acc3_0 + (gemm0_a3 * gemm0_b0);
        gemm0_acc3_1 = gemm0_acc3_1 + (gemm0_a3 * gemm0_b1);
        gemm0_acc3_2 = gemm0_acc3_2 + (gemm0_a3 * gemm0_b2);
        gemm0_acc3_3 = gemm0_acc3_3 + (gemm0_a3 * gemm0_b3);
      }
    }
    workgroupBarrier();
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && ((gemm0_c0 + gemm0_tx) < 256i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 256i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 256i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 256i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && ((gemm0_c0 + gemm0_tx) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && ((gemm0_c0 + gemm0_tx) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && ((gemm0_c0 + gemm0_tx) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 256i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
}

// k2_gemm_1
// %"/fc2/Gemm_output_0" = gemm(%"/Relu_output_0", %fc2.weight, %fc2.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 256] loc("/fc2/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = ((4i + (s_N * 784i)) + (s_N * 10i)) + ((2048i * s_N) / 4i);
  let in_b: i32 = 401920i;
  let in_c: i32 = 532992i;
  let out: i32 = (4i + (s_N * 784i)) + (s_N * 10i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= s_N * 256i) { return; }
  let gemm0_row: i32 = flat / 256i;
  let gemm0_col: i32 = flat % 256i;
  var gemm0_row_acc: f32 = 0.0f;
  for (var gemm0_row_k: i32 = 0i; gemm0_row_k < 512i; gemm0_row_k++) {
    gemm0_row_acc = gemm0_row_acc + (bitcast<f32>(data[in_a + ((gemm0_row * 512i) + gemm0_row_k)]) * bitcast<f32>(params[in_b + (gemm0_row_k + (gemm0_col * 512i))]));
  }
  data[out + ((gemm0_row * 256i) + gemm0_col)] = bitcast<u32>(gemm0_row_acc + bitcast<f32>(params[in_c + gemm0_col]));
}

// k3_relu
// %"/Relu_1_output_0" = relu(%"/fc2/Gemm_output_0") : f32[N, 256] loc("/Relu_1")
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in0: i32 = (4i + (s_N * 784i)) + (s_N * 10i);
  let out: i32 = ((4i + (s_N * 784i)) + (s_N * 10i)) + ((1024i * s_N) / 4i);
  let flat = i32(gid.x + gid.y * nwg.x * 256u);
  if (flat >= s_N * 256i) { return; }
  let i0: i32 = flat;
  let a0: f32 = bitcast<f32>(data[in0 + i0]);
  let t0: f32 = select(a0, 0.0f, a0 < 0.0f);
  data[out + i0] = bitcast<u32>(t0);
}

// k4_gemm
// %output = gemm(%"/Relu_1_output_0", %fc3.weight, %fc3.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 10] loc("/fc3/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = ((4i + (s_N * 784i)) + (s_N * 10i)) + ((1024i * s_N) / 4i);
  let in_b: i32 = 533248i;
  let in_c: i32 = 535808i;
  let out: i32 = 4i + (s_N * 784i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= s_N * 10i) { return; }
  let gemm0_row: i32 = flat / 10i;
  let gemm0_col: i32 = flat % 10i;
  var gemm0_row_acc: f32 = 0.0f;
  for (var gemm0_row_k: i32 = 0i; gemm0_row_k < 256i; gemm0_row_k++) {
    gemm0_row_acc = gemm0_row_acc + (bitcast<f32>(data[in_a + ((gemm0_row * 256i) + gemm0_row_k)]) * bitcast<f32>(params[in_b + (gemm0_row_k + (gemm0_col * 256i))]));
  }
  data[out + ((gemm0_row * 10i) + gemm0_col)] = bitcast<u32>(gemm0_row_acc + bitcast<f32>(params[in_c + gemm0_col]));
}
