import { AdmissionEvaluator } from "./src/admission/evaluator.ts";
const ev = await AdmissionEvaluator.load({config:{},waivers:[],profile:"production"});
for (const n of [500, 2000, 8000, 500]) {
const pod = {apiVersion:"v1",kind:"Pod",metadata:{name:"big",namespace:"erlmcp"},spec:{containers:Array.from({length:n},(_, i)=>({name:"c"+i,image:"nginx:latest",env:[{name:"A",value:"b"}]}))}};
const s=Date.now(); const f = ev.evaluate(pod, new Date()); console.log(n, JSON.stringify(pod).length, Date.now()-s, "ms", f.length, f.filter(x=>x.status==="error").length);
}
