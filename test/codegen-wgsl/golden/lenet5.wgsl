// k00_conv
// %"/conv1/Conv_output_0" = conv(%input, %conv1.weight, %conv1.bias) {dilations = [1, 1], group = 1, kernel_shape = [5, 5], pads = [0, 0, 0, 0], strides = [1, 1]} : f32[N, 6, 28, 28] loc("/conv1/Conv")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_x: i32 = 4i;
  let in_w: i32 = 0i;
  let in_b: i32 = 150i;
  let out: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= ((s_N * 6i) * 28i) * 28i) { return; }
  let n0: i32 = flat / 4704i;
  let m0: i32 = (flat / 784i) % 6i;
  let od0: i32 = (flat / 784i) % 1i;
  let oh0: i32 = (flat / 28i) % 28i;
  let ow0: i32 = flat % 28i;
  let c0: i32 = m0 / 6i;
  var acc0: f32 = bitcast<f32>(params[in_b + m0]);
  for (var kd0: i32 = 0i; kd0 < 1i; kd0++) {
    let id0: i32 = od0 + kd0;
    for (var kh0: i32 = 0i; kh0 < 5i; kh0++) {
      let ih0: i32 = oh0 + kh0;
      let ih0_in: bool = ((id0 >= 0i) && (id0 < 1i)) && ((ih0 >= 0i) && (ih0 < 32i));
      for (var kw0: i32 = 0i; kw0 < 5i; kw0++) {
        let iw0: i32 = ow0 + kw0;
        let iw0_in: bool = ih0_in && ((iw0 >= 0i) && (iw0 < 32i));
        acc0 = acc0 + (select(0.0f, bitcast<f32>(data[in_x + select(0i, ((n0 + c0) * 1024i) + ((((id0 * 32i) + ih0) * 32i) + iw0), iw0_in)]), iw0_in) * bitcast<f32>(params[in_w + ((m0 * 25i) + ((((kd0 * 5i) + kh0) * 5i) + kw0))]));
      }
    }
  }
  data[out + ((((n0 * 6i) + m0) * 784i) + ((((od0 * 28i) + oh0) * 28i) + ow0))] = bitcast<u32>(acc0);
}

// k01_relu
// %"/Relu_output_0" = relu(%"/conv1/Conv_output_0") : f32[N, 6, 28, 28] loc("/Relu")
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in0: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let out: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((18816i * s_N) / 4i);
  let flat = i32(gid.x + gid.y * nwg.x * 256u);
  if (flat >= ((s_N * 6i) * 28i) * 28i) { return; }
  let i0: i32 = flat;
  let a0: f32 = bitcast<f32>(data[in0 + i0]);
  let t0: f32 = select(a0, 0.0f, a0 < 0.0f);
  data[out + i0] = bitcast<u32>(t0);
}

// k02_max_pool
// %"/MaxPool_output_0" = max_pool(%"/Relu_output_0") {ceil_mode = false, kernel_shape = [2, 2], pads = [0, 0, 0, 0], strides = [2, 2]} : f32[N, 6, 14, 14] loc("/MaxPool")
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;
var<private> dsc_neg_inf: u32 = 0xff800000u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_x: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((18816i * s_N) / 4i);
  let out: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((6400i * s_N) / 4i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= ((s_N * 6i) * 14i) * 14i) { return; }
  let p0: i32 = flat / 196i;
  let od0: i32 = (flat / 196i) % 1i;
  let oh0: i32 = (flat / 14i) % 14i;
  let ow0: i32 = flat % 14i;
  var best0: f32 = bitcast<f32>(dsc_neg_inf);
  var taken0: i32 = 0i;
  var padded0: i32 = 0i;
  for (var kd0: i32 = 0i; kd0 < 1i; kd0++) {
    for (var kh0: i32 = 0i; kh0 < 2i; kh0++) {
      for (var kw0: i32 = 0i; kw0 < 2i; kw0++) {
        if ((((od0 + kd0) >= 0i) && ((od0 + kd0) < 1i)) && (((((oh0 * 2i) + kh0) >= 0i) && (((oh0 * 2i) + kh0) < 28i)) && ((((ow0 * 2i) + kw0) >= 0i) && (((ow0 * 2i) + kw0) < 28i)))) {
          padded0 = padded0 + 1i;
          if ((((od0 + kd0) >= 0i) && ((od0 + kd0) < 1i)) && (((((oh0 * 2i) + kh0) >= 0i) && (((oh0 * 2i) + kh0) < 28i)) && ((((ow0 * 2i) + kw0) >= 0i) && (((ow0 * 2i) + kw0) < 28i)))) {
            let v: f32 = bitcast<f32>(data[in_x + ((p0 * 784i) + (((((od0 + kd0) * 28i) + ((oh0 * 2i) + kh0)) * 28i) + ((ow0 * 2i) + kw0)))]);
            best0 = select(best0, v, (taken0 == 0i) || (v > best0));
            taken0 = taken0 + 1i;
          }
        }
      }
    }
  }
  data[out + ((p0 * 196i) + ((((od0 * 14i) + oh0) * 14i) + ow0))] = bitcast<u32>(best0);
}

// k03_conv
// %"/conv2/Conv_output_0" = conv(%"/MaxPool_output_0", %conv2.weight, %conv2.bias) {dilations = [1, 1], group = 1, kernel_shape = [5, 5], pads = [0, 0, 0, 0], strides = [1, 1]} : f32[N, 16, 10, 10] loc("/conv2/Conv")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_x: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((6400i * s_N) / 4i);
  let in_w: i32 = 156i;
  let in_b: i32 = 2556i;
  let out: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= (s_N * 16i) * 100i) { return; }
  let n0: i32 = flat / 1600i;
  let gemm0_row: i32 = (flat / 100i) % 16i;
  let gemm0_col: i32 = flat % 100i;
  let g0: i32 = 0i;
  let gemm0_row_od: i32 = gemm0_col / 100i;
  let gemm0_row_oh: i32 = (gemm0_col / 10i) % 10i;
  let gemm0_row_ow: i32 = gemm0_col % 10i;
  var gemm0_row_acc: f32 = 0.0f;
  for (var gemm0_row_k: i32 = 0i; gemm0_row_k < 150i; gemm0_row_k++) {
    let gemm0_row_ch: i32 = gemm0_row_k / 25i;
    let gemm0_row_tap: i32 = gemm0_row_k % 25i;
    let gemm0_row_kd: i32 = gemm0_row_tap / 25i;
    let gemm0_row_kh: i32 = (gemm0_row_tap / 5i) % 5i;
    let gemm0_row_kw: i32 = gemm0_row_tap % 5i;
    let gemm0_row_id: i32 = gemm0_row_od + gemm0_row_kd;
    let gemm0_row_ih: i32 = gemm0_row_oh + gemm0_row_kh;
    let gemm0_row_iw: i32 = gemm0_row_ow + gemm0_row_kw;
    gemm0_row_acc = gemm0_row_acc + (bitcast<f32>(params[in_w + ((g0 * 2400i) + ((gemm0_row * 150i) + gemm0_row_k))]) * select(0.0f, bitcast<f32>(data[in_x + select(0i, (((n0 * 6i) + (g0 * 6i)) * 196i) + (((((gemm0_row_ch + gemm0_row_id) * 14i) + gemm0_row_ih) * 14i) + gemm0_row_iw), true && (((gemm0_row_id >= 0i) && (gemm0_row_id < 1i)) && (((gemm0_row_ih >= 0i) && (gemm0_row_ih < 14i)) && ((gemm0_row_iw >= 0i) && (gemm0_row_iw < 14i)))))]), true && (((gemm0_row_id >= 0i) && (gemm0_row_id < 1i)) && (((gemm0_row_ih >= 0i) && (gemm0_row_ih < 14i)) && ((gemm0_row_iw >= 0i) && (gemm0_row_iw < 14i))))));
  }
  data[out + ((((n0 * 16i) + (g0 * 16i)) * 100i) + ((gemm0_row * 100i) + gemm0_col))] = bitcast<u32>(gemm0_row_acc + bitcast<f32>(params[in_b + ((g0 * 16i) + gemm0_row)]));
}

// k04_relu
// %"/Relu_1_output_0" = relu(%"/conv2/Conv_output_0") : f32[N, 16, 10, 10] loc("/Relu_1")
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in0: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let out: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((6400i * s_N) / 4i);
  let flat = i32(gid.x + gid.y * nwg.x * 256u);
  if (flat >= ((s_N * 16i) * 10i) * 10i) { return; }
  let i0: i32 = flat;
  let a0: f32 = bitcast<f32>(data[in0 + i0]);
  let t0: f32 = select(a0, 0.0f, a0 < 0.0f);
  data[out + i0] = bitcast<u32>(t0);
}

// k05_max_pool
// %"/MaxPool_1_output_0" = max_pool(%"/Relu_1_output_0") {ceil_mode = false, kernel_shape = [2, 2], pads = [0, 0, 0, 0], strides = [2, 2]} : f32[N, 16, 5, 5] loc("/MaxPool_1")
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;
var<private> dsc_neg_inf: u32 = 0xff800000u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_x: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((6400i * s_N) / 4i);
  let out: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= ((s_N * 16i) * 5i) * 5i) { return; }
  let p0: i32 = flat / 25i;
  let od0: i32 = (flat / 25i) % 1i;
  let oh0: i32 = (flat / 5i) % 5i;
  let ow0: i32 = flat % 5i;
  var best0: f32 = bitcast<f32>(dsc_neg_inf);
  var taken0: i32 = 0i;
  var padded0: i32 = 0i;
  for (var kd0: i32 = 0i; kd0 < 1i; kd0++) {
    for (var kh0: i32 = 0i; kh0 < 2i; kh0++) {
      for (var kw0: i32 = 0i; kw0 < 2i; kw0++) {
        if ((((od0 + kd0) >= 0i) && ((od0 + kd0) < 1i)) && (((((oh0 * 2i) + kh0) >= 0i) && (((oh0 * 2i) + kh0) < 10i)) && ((((ow0 * 2i) + kw0) >= 0i) && (((ow0 * 2i) + kw0) < 10i)))) {
          padded0 = padded0 + 1i;
          if ((((od0 + kd0) >= 0i) && ((od0 + kd0) < 1i)) && (((((oh0 * 2i) + kh0) >= 0i) && (((oh0 * 2i) + kh0) < 10i)) && ((((ow0 * 2i) + kw0) >= 0i) && (((ow0 * 2i) + kw0) < 10i)))) {
            let v: f32 = bitcast<f32>(data[in_x + ((p0 * 100i) + (((((od0 + kd0) * 10i) + ((oh0 * 2i) + kh0)) * 10i) + ((ow0 * 2i) + kw0)))]);
            best0 = select(best0, v, (taken0 == 0i) || (v > best0));
            taken0 = taken0 + 1i;
          }
        }
      }
    }
  }
  data[out + ((p0 * 25i) + ((((od0 * 5i) + oh0) * 5i) + ow0))] = bitcast<u32>(best0);
}

// k06_gemm_0
// %"/fc1/Gemm_output_0" = gemm(%"/Flatten_output_0", %fc1.weight, %fc1.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 120] loc("/fc1/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;
var<workgroup> gemm0_a_tile: array<f32, 1024>;
var<workgroup> gemm0_b_tile: array<f32, 1024>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lidx: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let in_b: i32 = 2572i;
  let in_c: i32 = 50572i;
  let out: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((1600i * s_N) / 4i);
  let flat = i32(wid.x + wid.y * nwg.x);
  if (flat >= ((s_N + 63i) / 64i) * 2i) { return; }
  let gemm0_tile_row: i32 = flat / 2i;
  let gemm0_tile_col: i32 = flat % 2i;
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
  for (var gemm0_kt: i32 = 0i; gemm0_kt < 25i; gemm0_kt++) {
    let gemm0_k0: i32 = gemm0_kt * 16i;
    for (var gemm0_sa: i32 = 0i; gemm0_sa < ((1024i - local_id) + 255i) / 256i; gemm0_sa++) {
      let gemm0_sa_e: i32 = local_id + (gemm0_sa * 256i);
      let gemm0_ar: i32 = gemm0_sa_e / 16i;
      let gemm0_ak: i32 = gemm0_sa_e % 16i;
      gemm0_a_tile[(gemm0_ar * 16i) + gemm0_ak] = select(0.0f, bitcast<f32>(data[in_a + select(0i, ((gemm0_r0 + gemm0_ar) * 400i) + (gemm0_k0 + gemm0_ak), ((gemm0_r0 + gemm0_ar) < s_N) && ((gemm0_k0 + gemm0_ak) < 400i))]), ((gemm0_r0 + gemm0_ar) < s_N) && ((gemm0_k0 + gemm0_ak) < 400i));
    }
    for (var gemm0_sb: i32 = 0i; gemm0_sb < ((1024i - local_id) + 255i) / 256i; gemm0_sb++) {
      let gemm0_sb_e: i32 = local_id + (gemm0_sb * 256i);
      let gemm0_bk: i32 = gemm0_sb_e % 16i;
      let gemm0_bc: i32 = gemm0_sb_e / 16i;
      gemm0_b_tile[(gemm0_bk * 64i) + gemm0_bc] = select(0.0f, bitcast<f32>(params[in_b + select(0i, (gemm0_k0 + gemm0_bk) + ((gemm0_c0 + gemm0_bc) * 400i), ((gemm0_k0 + gemm0_bk) < 400i) && ((gemm0_c0 + gemm0_bc) < 120i))]), ((gemm0_k0 + gemm0_bk) < 400i) && ((gemm0_c0 + gemm0_bc) < 120i));
    }
    workgroupBarrier();
    if (((gemm0_r0 + gemm0_ty) < s_N) && ((gemm0_c0 + gemm0_tx) < 120i)) {
      for (var gemm0_kk: i32 = 0i; gemm0_kk < min(16i, 400i - gemm0_k0); gemm0_kk++) {
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
  if (((gemm0_r0 + gemm0_ty) < s_N) && ((gemm0_c0 + gemm0_tx) < 120i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 120i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 120i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 120i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && ((gemm0_c0 + gemm0_tx) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && ((gemm0_c0 + gemm0_tx) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && ((gemm0_c0 + gemm0_tx) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 120i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
}

// k06_gemm_1
// %"/fc1/Gemm_output_0" = gemm(%"/Flatten_output_0", %fc1.weight, %fc1.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 120] loc("/fc1/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let in_b: i32 = 2572i;
  let in_c: i32 = 50572i;
  let out: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((1600i * s_N) / 4i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= s_N * 120i) { return; }
  let gemm0_row: i32 = flat / 120i;
  let gemm0_col: i32 = flat % 120i;
  var gemm0_row_acc: f32 = 0.0f;
  for (var gemm0_row_k: i32 = 0i; gemm0_row_k < 400i; gemm0_row_k++) {
    gemm0_row_acc = gemm0_row_acc + (bitcast<f32>(data[in_a + ((gemm0_row * 400i) + gemm0_row_k)]) * bitcast<f32>(params[in_b + (gemm0_row_k + (gemm0_col * 400i))]));
  }
  data[out + ((gemm0_row * 120i) + gemm0_col)] = bitcast<u32>(gemm0_row_acc + bitcast<f32>(params[in_c + gemm0_col]));
}

// k07_relu
// %"/Relu_2_output_0" = relu(%"/fc1/Gemm_output_0") : f32[N, 120] loc("/Relu_2")
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in0: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((1600i * s_N) / 4i);
  let out: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let flat = i32(gid.x + gid.y * nwg.x * 256u);
  if (flat >= s_N * 120i) { return; }
  let i0: i32 = flat;
  let a0: f32 = bitcast<f32>(data[in0 + i0]);
  let t0: f32 = select(a0, 0.0f, a0 < 0.0f);
  data[out + i0] = bitcast<u32>(t0);
}

// k08_gemm_0
// %"/fc2/Gemm_output_0" = gemm(%"/Relu_2_output_0", %fc2.weight, %fc2.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 84] loc("/fc2/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;
var<workgroup> gemm0_a_tile: array<f32, 1024>;
var<workgroup> gemm0_b_tile: array<f32, 1024>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lidx: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let in_b: i32 = 50692i;
  let in_c: i32 = 60772i;
  let out: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((512i * s_N) / 4i);
  let flat = i32(wid.x + wid.y * nwg.x);
  if (flat >= ((s_N + 63i) / 64i) * 2i) { return; }
  let gemm0_tile_row: i32 = flat / 2i;
  let gemm0_tile_col: i32 = flat % 2i;
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
  for (var gemm0_kt: i32 = 0i; gemm0_kt < 8i; gemm0_kt++) {
    let gemm0_k0: i32 = gemm0_kt * 16i;
    for (var gemm0_sa: i32 = 0i; gemm0_sa < ((1024i - local_id) + 255i) / 256i; gemm0_sa++) {
      let gemm0_sa_e: i32 = local_id + (gemm0_sa * 256i);
      let gemm0_ar: i32 = gemm0_sa_e / 16i;
      let gemm0_ak: i32 = gemm0_sa_e % 16i;
      gemm0_a_tile[(gemm0_ar * 16i) + gemm0_ak] = select(0.0f, bitcast<f32>(data[in_a + select(0i, ((gemm0_r0 + gemm0_ar) * 120i) + (gemm0_k0 + gemm0_ak), ((gemm0_r0 + gemm0_ar) < s_N) && ((gemm0_k0 + gemm0_ak) < 120i))]), ((gemm0_r0 + gemm0_ar) < s_N) && ((gemm0_k0 + gemm0_ak) < 120i));
    }
    for (var gemm0_sb: i32 = 0i; gemm0_sb < ((1024i - local_id) + 255i) / 256i; gemm0_sb++) {
      let gemm0_sb_e: i32 = local_id + (gemm0_sb * 256i);
      let gemm0_bk: i32 = gemm0_sb_e % 16i;
      let gemm0_bc: i32 = gemm0_sb_e / 16i;
      gemm0_b_tile[(gemm0_bk * 64i) + gemm0_bc] = select(0.0f, bitcast<f32>(params[in_b + select(0i, (gemm0_k0 + gemm0_bk) + ((gemm0_c0 + gemm0_bc) * 120i), ((gemm0_k0 + gemm0_bk) < 120i) && ((gemm0_c0 + gemm0_bc) < 84i))]), ((gemm0_k0 + gemm0_bk) < 120i) && ((gemm0_c0 + gemm0_bc) < 84i));
    }
    workgroupBarrier();
    if (((gemm0_r0 + gemm0_ty) < s_N) && ((gemm0_c0 + gemm0_tx) < 84i)) {
      for (var gemm0_kk: i32 = 0i; gemm0_kk < min(16i, 120i - gemm0_k0); gemm0_kk++) {
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
  if (((gemm0_r0 + gemm0_ty) < s_N) && ((gemm0_c0 + gemm0_tx) < 84i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 84i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 84i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if (((gemm0_r0 + gemm0_ty) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 84i)) {
    let gemm0_row: i32 = gemm0_r0 + gemm0_ty;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc0_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && ((gemm0_c0 + gemm0_tx) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 1i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 1i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc1_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && ((gemm0_c0 + gemm0_tx) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 2i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 2i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc2_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && ((gemm0_c0 + gemm0_tx) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = gemm0_c0 + gemm0_tx;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_0 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 1i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 1i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_1 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 2i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 2i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_2 + bitcast<f32>(params[in_c + gemm0_col]));
  }
  if ((((gemm0_r0 + gemm0_ty) + 3i) < s_N) && (((gemm0_c0 + gemm0_tx) + 3i) < 84i)) {
    let gemm0_row: i32 = (gemm0_r0 + gemm0_ty) + 3i;
    let gemm0_col: i32 = (gemm0_c0 + gemm0_tx) + 3i;
    data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_acc3_3 + bitcast<f32>(params[in_c + gemm0_col]));
  }
}

// k08_gemm_1
// %"/fc2/Gemm_output_0" = gemm(%"/Relu_2_output_0", %fc2.weight, %fc2.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 84] loc("/fc2/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let in_b: i32 = 50692i;
  let in_c: i32 = 60772i;
  let out: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((512i * s_N) / 4i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= s_N * 84i) { return; }
  let gemm0_row: i32 = flat / 84i;
  let gemm0_col: i32 = flat % 84i;
  var gemm0_row_acc: f32 = 0.0f;
  for (var gemm0_row_k: i32 = 0i; gemm0_row_k < 120i; gemm0_row_k++) {
    gemm0_row_acc = gemm0_row_acc + (bitcast<f32>(data[in_a + ((gemm0_row * 120i) + gemm0_row_k)]) * bitcast<f32>(params[in_b + (gemm0_row_k + (gemm0_col * 120i))]));
  }
  data[out + ((gemm0_row * 84i) + gemm0_col)] = bitcast<u32>(gemm0_row_acc + bitcast<f32>(params[in_c + gemm0_col]));
}

// k09_relu
// %"/Relu_3_output_0" = relu(%"/fc2/Gemm_output_0") : f32[N, 84] loc("/Relu_3")
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in0: i32 = ((4i + ((s_N * 32i) * 32i)) + (s_N * 10i)) + ((512i * s_N) / 4i);
  let out: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let flat = i32(gid.x + gid.y * nwg.x * 256u);
  if (flat >= s_N * 84i) { return; }
  let i0: i32 = flat;
  let a0: f32 = bitcast<f32>(data[in0 + i0]);
  let t0: f32 = select(a0, 0.0f, a0 < 0.0f);
  data[out + i0] = bitcast<u32>(t0);
}

// k10_gemm
// %output = gemm(%"/Relu_3_output_0", %fc3.weight, %fc3.bias) {alpha = 1.0, beta = 1.0, trans_b = true} : f32[N, 10] loc("/fc3/Gemm")
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, 1>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s_N: i32 = syms[0].x;
  let in_a: i32 = (4i + ((s_N * 32i) * 32i)) + (s_N * 10i);
  let in_b: i32 = 60856i;
  let in_c: i32 = 61696i;
  let out: i32 = 4i + ((s_N * 32i) * 32i);
  let flat = i32(gid.x + gid.y * nwg.x * 64u);
  if (flat >= s_N * 10i) { return; }
  let gemm0_row: i32 = flat / 10i;
  let gemm0_col: i32 = flat % 10i;
  var gemm0_row_acc: f32 = 0.0f;
  for (var gemm0_row_k: i32 = 0i; gemm0_row_k < 84i; gemm0_row_k++) {
    gemm0_row_acc = gemm0_row_acc + (bitcast<f32>(data[in_a + ((gemm0_row * 84i) + gemm0_row_k)]) * bitcast<f32>(params[in_b + (gemm0_row_k + (gemm0_col * 84i))]));
  }
  data[out + ((gemm0_row * 10i) + gemm0_col)] = bitcast<u32>(gemm0_row_acc + bitcast<f32>(params[in_c + gemm0_col]));
}
