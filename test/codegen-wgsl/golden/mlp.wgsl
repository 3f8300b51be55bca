// k0_gemm
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

// k2_gemm
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
